import { TaskMessage } from '@cloud-images/shared';
import { describe, expect, it } from 'vitest';
import { failureCode } from './failure-code.js';

describe('failureCode', () => {
  it('takes the Rackspace numeric code a VHD message starts with', () => {
    expect(failureCode('396: Image has a bad footer. Cookie mismatch.')).toBe('396');
    expect(failureCode('111: Image has corrupted blocks.')).toBe('111');
  });

  it('maps each documented message to one fixed name, whatever container it names', () => {
    expect(failureCode(TaskMessage.importObjectNotFound)).toBe('object_not_found');
    expect(failureCode(TaskMessage.unsupportedImageProperty)).toBe('unsupported_property');
    expect(failureCode(TaskMessage.exportNotOwner)).toBe('not_owner');
    expect(failureCode(TaskMessage.internalError)).toBe('internal');
    expect(failureCode(TaskMessage.exportContainerNotFound('a'))).toBe('container_not_found');
    expect(failureCode(TaskMessage.exportContainerNotFound('b'))).toBe('container_not_found');
    expect(failureCode(TaskMessage.exportInvalidContainer('x.y'))).toBe('invalid_container');
    expect(failureCode(TaskMessage.exportObjectExists('o', 'c'))).toBe('object_exists');
    expect(failureCode(TaskMessage.invalidTaskInput('bad'))).toBe('invalid_input');
    expect(failureCode(TaskMessage.tenantCredentialsRejected)).toBe('credentials_rejected');
    expect(failureCode(TaskMessage.tenantCredentialsUnreadable)).toBe('credentials_unreadable');
  });

  it('puts anything else in one bucket', () => {
    expect(failureCode('something new')).toBe('other');
  });
});
