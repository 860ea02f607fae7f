import type { TokenRole } from '@cloud-images/shared';

/** Who is asking: the tenant a valid token belongs to, and what the token may do. */
export interface Caller {
  tenantId: string;
  role: TokenRole;
  tokenId: string;
  /** The tenant's bucket prefix, fixed when the tenant is created: imports name containers under it. */
  bucketPrefix: string;
}
