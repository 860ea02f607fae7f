import { createGlobalSetup } from '../src/global-setup.js';

export default createGlobalSetup();
