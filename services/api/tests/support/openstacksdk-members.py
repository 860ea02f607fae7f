"""The member flow through openstacksdk's image proxy, as a tenant would script it.

Usage: openstacksdk-members.py ENDPOINT OWNER_TOKEN MEMBER_TOKEN IMAGE_ID MEMBER_ID
Prints one JSON object describing what each side saw, for the test to check.
"""
import json
import sys

import openstack


def connect(endpoint, token):
    return openstack.connect(auth_type="admin_token", auth={"endpoint": endpoint, "token": token},
                             image_endpoint_override=endpoint)


endpoint, owner_token, member_token, image_id, member_id = sys.argv[1:6]
owner = connect(endpoint, owner_token)
member = connect(endpoint, member_token)

added = owner.image.add_member(image_id, member_id=member_id)
pending = [i.id for i in member.image.images(member_status="pending")]
accepted = member.image.update_member(member_id, image_id, status="accepted")
listed = [(m.member_id, m.status) for m in owner.image.members(image_id)]
visible = [i.id for i in member.image.images()]
owner.image.remove_member(member_id, image_id)
after = [(m.member_id, m.status) for m in owner.image.members(image_id)]
print(json.dumps({
    "added": added.status,
    "pending": image_id in pending,
    "accepted": accepted.status,
    "listed": listed,
    "visible": image_id in visible,
    "after": after,
}))
