import { imageMembers, images } from '@cloud-images/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestTenant } from './support/api-harness.js';

let t: TestApi;
let owner: TestTenant;
let member: TestTenant;
let stranger: TestTenant;

beforeAll(async () => {
  t = await startTestApi();
  [owner, member, stranger] = [
    await t.createTestTenant(),
    await t.createTestTenant(),
    await t.createTestTenant(),
  ];
});
afterAll(() => t?.close());

async function sharedImage(name = 'shared'): Promise<string> {
  const [row] = await t.db.insert(images).values({ tenantId: owner.id, name, status: 'active' }).returning();
  return row!.id;
}
const as = (who: TestTenant) => who.tokens.creator;
const ids = (res: { json: { images: { id: string }[] } }) => res.json.images.map((i) => i.id);

describe('image members', () => {
  it('shares with a member who sees it pending, accepts it, and loses it when removed', async () => {
    const id = await sharedImage();
    const added = await t.request('POST', `/v2/images/${id}/members`, {
      token: as(owner),
      body: { member: member.id },
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      image_id: id,
      member_id: member.id,
      status: 'pending',
      schema: '/v2/schemas/member',
    });
    expect(
      (await t.request('POST', `/v2/images/${id}/members`, { token: as(owner), body: { member: member.id } }))
        .status,
    ).toBe(409);

    expect(ids(await t.request('GET', '/v2/images', { token: as(member) }))).not.toContain(id);
    expect(ids(await t.request('GET', '/v2/images?member_status=pending', { token: as(member) }))).toContain(
      id,
    );
    expect(ids(await t.request('GET', '/v2/images?member_status=all', { token: as(member) }))).toContain(id);
    // A member may read what it was offered, whatever its status.
    expect((await t.request('GET', `/v2/images/${id}`, { token: as(member) })).status).toBe(200);

    const accepted = await t.request('PUT', `/v2/images/${id}/members/${member.id}`, {
      token: as(member),
      body: { status: 'accepted' },
    });
    expect(accepted.json.status).toBe('accepted');
    expect(ids(await t.request('GET', '/v2/images', { token: as(member) }))).toContain(id);
    expect(
      ids(await t.request('GET', '/v2/images?member_status=pending', { token: as(member) })),
    ).not.toContain(id);

    // The owner sees every member, a member only itself, anyone else nothing.
    expect(
      (
        await t.request('POST', `/v2/images/${id}/members`, {
          token: as(owner),
          body: { member: '99999999' },
        })
      ).status,
    ).toBe(200);
    const ownerList = await t.request('GET', `/v2/images/${id}/members`, { token: as(owner) });
    expect(ownerList.json.members.map((m: { member_id: string }) => m.member_id).sort()).toEqual(
      [member.id, '99999999'].sort(),
    );
    expect(ownerList.json.schema).toBe('/v2/schemas/members');
    const memberList = await t.request('GET', `/v2/images/${id}/members`, { token: as(member) });
    expect(memberList.json.members.map((m: { member_id: string }) => m.member_id)).toEqual([member.id]);
    expect((await t.request('GET', `/v2/images/${id}/members/99999999`, { token: as(member) })).status).toBe(
      404,
    );
    expect(
      (await t.request('GET', `/v2/images/${id}/members/${member.id}`, { token: as(member) })).status,
    ).toBe(200);
    expect((await t.request('GET', `/v2/images/${id}/members`, { token: as(stranger) })).status).toBe(404);
    expect((await t.request('GET', `/v2/images/${id}`, { token: as(stranger) })).status).toBe(404);

    // Only the member sets its status; only the owner removes it.
    expect(
      (
        await t.request('PUT', `/v2/images/${id}/members/${member.id}`, {
          token: as(owner),
          body: { status: 'rejected' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('PUT', `/v2/images/${id}/members/${member.id}`, {
          token: as(member),
          body: { status: 'maybe' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await t.request('DELETE', `/v2/images/${id}/members/${member.id}`, { token: as(member) })).status,
    ).toBe(403);

    // What a member may not do.
    const patch = await t.request('PATCH', `/v2/images/${id}`, {
      token: as(member),
      rawBody: JSON.stringify([{ op: 'replace', path: '/name', value: 'mine' }]),
      headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(patch.status).toBe(403);
    expect((await t.request('PUT', `/v2/images/${id}/tags/x`, { token: as(member) })).status).toBe(403);
    expect((await t.request('DELETE', `/v2/images/${id}`, { token: as(member) })).status).toBe(403);
    expect(
      (
        await t.request('POST', `/v2/images/${id}/members`, {
          token: as(member),
          body: { member: stranger.id },
        })
      ).status,
    ).toBe(403);

    expect(
      (await t.request('DELETE', `/v2/images/${id}/members/${member.id}`, { token: as(owner) })).status,
    ).toBe(204);
    expect((await t.request('GET', `/v2/images/${id}`, { token: as(member) })).status).toBe(404);
  });

  it('answers 400 for a malformed member id and 413 past 128 members', async () => {
    const id = await sharedImage();
    expect(
      (
        await t.request('POST', `/v2/images/${id}/members`, {
          token: as(owner),
          body: { member: 'no spaces!' },
        })
      ).status,
    ).toBe(400);
    expect((await t.request('POST', `/v2/images/${id}/members`, { token: as(owner), body: {} })).status).toBe(
      400,
    );
    for (let i = 0; i < 128; i++) {
      const res = await t.request('POST', `/v2/images/${id}/members`, {
        token: as(owner),
        body: { member: `m${i}` },
      });
      expect(res.status).toBe(200);
    }
    expect(
      (await t.request('POST', `/v2/images/${id}/members`, { token: as(owner), body: { member: 'm128' } }))
        .status,
    ).toBe(413);
  });

  it('keeps members of an image made private, but they see nothing until it is shared again; private refuses new members', async () => {
    const id = await sharedImage();
    await t.request('POST', `/v2/images/${id}/members`, { token: as(owner), body: { member: member.id } });
    await t.request('PUT', `/v2/images/${id}/members/${member.id}`, {
      token: as(member),
      body: { status: 'accepted' },
    });
    const setVisibility = (value: string) =>
      t.request('PATCH', `/v2/images/${id}`, {
        token: as(owner),
        rawBody: JSON.stringify([{ op: 'replace', path: '/visibility', value }]),
        headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
      });
    expect((await setVisibility('private')).status).toBe(200);
    expect((await t.request('GET', `/v2/images/${id}`, { token: as(member) })).status).toBe(404);
    expect(ids(await t.request('GET', '/v2/images', { token: as(member) }))).not.toContain(id);
    expect(
      (
        await t.request('POST', `/v2/images/${id}/members`, {
          token: as(owner),
          body: { member: stranger.id },
        })
      ).status,
    ).toBe(403);
    expect((await setVisibility('shared')).status).toBe(200);
    const back = await t.request('GET', `/v2/images/${id}/members/${member.id}`, { token: as(member) });
    expect(back.json.status).toBe('accepted');
  });

  it('removes the members of a deleted image', async () => {
    const id = await sharedImage();
    await t.request('POST', `/v2/images/${id}/members`, { token: as(owner), body: { member: member.id } });
    expect((await t.request('DELETE', `/v2/images/${id}`, { token: as(owner) })).status).toBe(204);
    expect(await t.db.select().from(imageMembers).where(eq(imageMembers.imageId, id))).toEqual([]);
  });

  it('serves the member schemas', async () => {
    const one = await t.request('GET', '/v2/schemas/member', { token: as(owner) });
    expect(Object.keys(one.json.properties).sort()).toEqual([
      'created_at',
      'image_id',
      'member_id',
      'schema',
      'status',
      'updated_at',
    ]);
    expect((await t.request('GET', '/v2/schemas/members', { token: as(owner) })).json.name).toBe('members');
  });
});
