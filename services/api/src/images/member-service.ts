import { type Database, type ImageMemberRow, type MemberStatus, memberStatus } from '@cloud-images/shared';
import type { Caller } from '../caller.js';
import {
  ForbiddenError,
  InvalidRequestError,
  LimitExceededError,
  ResourceConflictError,
  ResourceNotFoundError,
} from '../domain-errors.js';
import { IMAGE_LIMITS } from './image-limits.js';
import type { ImageService } from './image-service.js';
import {
  countMembers,
  deleteMember,
  findMember,
  insertMember,
  listMembers,
  setMemberStatus,
} from './member-repository.js';

/** A tenant id as the admin CLI makes them (digits by default, or an operator-chosen id of these characters). */
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/**
 * Glance image members. The owner shares and unshares; each member sees only its own membership and is the only
 * one who may accept or reject it. A tenant id is accepted whether or not such a tenant exists, so the API never
 * tells a caller which tenants exist.
 */
export function createMemberService(db: Database, images: ImageService) {
  const memberNotFound = (imageId: string, memberId: string) =>
    new ResourceNotFoundError(`Image '${imageId}' has no member '${memberId}'.`);

  return {
    async add(caller: Caller, imageId: string, body: unknown): Promise<ImageMemberRow> {
      const { member } = objectBody(body);
      if (typeof member !== 'string' || !TENANT_ID.test(member)) {
        throw new InvalidRequestError(
          `Invalid 'member': expected a tenant id (1 to 64 letters, digits, '.', '_' or '-').`,
        );
      }
      const image = await images.owned(caller, imageId);
      if (image.visibility !== 'shared') {
        throw new ForbiddenError(
          `Image '${image.id}' is ${image.visibility}; make it 'shared' before adding members.`,
        );
      }
      if ((await countMembers(db, image.id)) >= IMAGE_LIMITS.members) {
        throw new LimitExceededError(`An image may have at most ${IMAGE_LIMITS.members} members.`);
      }
      const row = await insertMember(db, image.id, member);
      if (!row)
        throw new ResourceConflictError(`Tenant '${member}' already is a member of image '${image.id}'.`);
      return row;
    },

    /** The owner sees every member; a member sees only itself. */
    async list(caller: Caller, imageId: string): Promise<ImageMemberRow[]> {
      const { image, isOwner } = await images.readable(caller, imageId);
      const members = await listMembers(db, image.id);
      return isOwner ? members : members.filter((m) => m.memberId === caller.tenantId);
    },

    async get(caller: Caller, imageId: string, memberId: string): Promise<ImageMemberRow> {
      const { image, isOwner } = await images.readable(caller, imageId);
      const row =
        isOwner || memberId === caller.tenantId ? await findMember(db, image.id, memberId) : undefined;
      if (!row) throw memberNotFound(image.id, memberId);
      return row;
    },

    /** Only the member itself may set its status; the owner gets 403, as in Glance. */
    async setStatus(
      caller: Caller,
      imageId: string,
      memberId: string,
      body: unknown,
    ): Promise<ImageMemberRow> {
      const { status } = objectBody(body);
      const { image, isOwner } = await images.readable(caller, imageId);
      if (memberId !== caller.tenantId) {
        if (isOwner) throw new ForbiddenError('Only the member itself may accept or reject a shared image.');
        throw memberNotFound(image.id, memberId);
      }
      if (!(memberStatus.enumValues as readonly unknown[]).includes(status)) {
        throw new InvalidRequestError(
          `Invalid 'status' ${JSON.stringify(status)}; expected 'pending', 'accepted' or 'rejected'.`,
        );
      }
      const row = await setMemberStatus(db, image.id, memberId, status as MemberStatus);
      if (!row) throw memberNotFound(image.id, memberId);
      return row;
    },

    /** Owner only: a member that no longer wants the image rejects it instead (403 here). */
    async remove(caller: Caller, imageId: string, memberId: string): Promise<void> {
      const image = await images.owned(caller, imageId);
      if (!(await deleteMember(db, image.id, memberId))) throw memberNotFound(image.id, memberId);
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
