"""taxii2_client_session.py: a scripted session of the OASIS taxii2-client (cti-taxii-client
v2.3.0, from ../shared/tools) against a running `chainwatch serve`, once with its TokenAuth
("Authorization: Token KEY") and once with a Bearer header: discovery, API root, collections,
paging with as_pages, get_object, the manifest, versions, add_objects and the status
resource, added_after with a +00:00 offset. Every object the server emitted is written to a
STIX bundle (argv[5]) for the OASIS validator.

usage: taxii2_client_session.py BASE_URL PEER_KEY ANALYST_KEY EXPECTED_VISIBLE OUT_BUNDLE
"""
import datetime
import json
import sys
import uuid

import requests
from taxii2client.common import TokenAuth
from taxii2client.v21 import ApiRoot, Server, as_pages

BASE, PEER, ANALYST, EXPECTED, OUT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
failed = 0
emitted = {}


def check(what, cond, detail=""):
    global failed
    if cond:
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + str(detail) if detail else ""))


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, key):
        self.key = key

    def __call__(self, r):
        r.headers["Authorization"] = "Bearer " + self.key
        return r


def keep(objs):
    for o in objs or []:
        emitted[(o["id"], o.get("modified", ""))] = o


def session(label, auth):
    server = Server(BASE + "/taxii2/", auth=auth)
    check(label + ": discovery has a title", bool(server.title), server.title)
    check(label + ": one API root", len(server.api_roots) == 1)
    root = server.api_roots[0]
    check(label + ": API root speaks TAXII 2.1",
          "application/taxii+json;version=2.1" in root.versions, root.versions)
    colls = root.collections
    check(label + ": one collection, readable", len(colls) == 1 and colls[0].can_read)
    coll = colls[0]
    # Paging with as_pages: 4 objects a page.
    seen, pages = [], 0
    for env in as_pages(coll.get_objects, per_request=4):
        pages += 1
        objs = env.get("objects", [])
        check(label + ": page %d holds at most 4" % pages, len(objs) <= 4, len(objs))
        seen.extend(objs)
    keep(seen)
    ids = [o["id"] for o in seen]
    check(label + ": as_pages saw %d objects, no repeats" % len(seen),
          len(seen) == EXPECTED and len(set(ids)) == len(ids), (len(seen), EXPECTED))
    check(label + ": several pages", pages >= 3, pages)
    # The manifest lists the same objects.
    man = []
    for env in as_pages(coll.get_manifest, per_request=7):
        man.extend(env.get("objects", []))
    check(label + ": manifest matches the objects", sorted(m["id"] for m in man) == sorted(ids))
    check(label + ": manifest records carry the media type",
          all(m.get("media_type") == "application/stix+json;version=2.1" for m in man))
    # One object, and its versions.
    rep = next(o for o in seen if o["type"] == "report")
    one = coll.get_object(rep["id"])
    check(label + ": get_object returns that object", one["objects"] == [rep])
    vers = coll.object_versions(rep["id"])
    check(label + ": versions lists its version", vers.get("versions") == [rep["modified"]], vers)
    # added_after with an RFC 3339 offset (+00:00 sent as %2B00:00), and as an aware datetime.
    env = coll.get_objects(added_after="2000-01-01T00:00:00+00:00")
    keep(env.get("objects"))
    check(label + ": added_after=...+00:00 accepted", len(env.get("objects", [])) > 0)
    env2 = coll.get_objects(added_after=datetime.datetime(2000, 1, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9))))
    check(label + ": added_after as a +09:00 datetime accepted",
          [o["id"] for o in env2.get("objects", [])] == [o["id"] for o in env.get("objects", [])])
    return coll


coll = session("TokenAuth", TokenAuth(PEER))
session("Bearer", BearerAuth(PEER))
# add_objects and the status resource, as an analyst.
aroot = ApiRoot(BASE + "/taxii2/api/", auth=TokenAuth(ANALYST))
acoll = aroot.collections[0]
check("analyst can write", acoll.can_write)
ind_id = "indicator--" + str(uuid.uuid4())
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
env = {"objects": [
    {"type": "indicator", "spec_version": "2.1", "id": ind_id, "created": now, "modified": now,
     "name": "taxii2-client add", "pattern": "[ipv4-addr:value = '198.51.100.7']",
     "pattern_type": "stix", "valid_from": now,
     "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
    {"type": "indicator", "id": "not-an-id"},
]}
status = acoll.add_objects(env)
check("add_objects: status complete", status.status == "complete", status.status)
check("add_objects: 1 success, 1 failure", status.success_count == 1 and status.failure_count == 1,
      (status.success_count, status.failure_count))
again = aroot.get_status(status.id)
check("status resource fetched again", again.id == status.id and again.total_count == 2)
got = acoll.get_object(ind_id)
check("the added object is served, signed by the node",
      got["objects"][0]["id"] == ind_id and "extensions" in got["objects"][0])
keep(got["objects"])
# A peer may not write.
try:
    coll.add_objects(env)
    check("peer cannot add objects", False)
except Exception:
    check("peer cannot add objects", True)
with open(OUT, "w") as f:
    json.dump({"type": "bundle", "id": "bundle--" + str(uuid.uuid4()),
               "objects": list(emitted.values())}, f)
print("%d objects emitted" % len(emitted))
sys.exit(1 if failed else 0)
