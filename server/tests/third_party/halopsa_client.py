"""HaloPSA, read and written by halopsa 2.0.2 (PyPI, unmodified) as its users do.

Run by server/tests/third_party.rs against the HaloPSA simulator. The library only ever speaks
to https://{tenant}.halopsa.com, so the test puts the simulator behind a TLS proxy of its own
(HTTPS_PROXY, and REQUESTS_CA_BUNDLE naming the test's CA), as a corporate proxy would sit in
front of the real service. Prints one JSON object of what it saw. The environment names
HALO_TENANT, HALO_CLIENT_ID and HALO_SECRET.
"""

import json
import os

from HaloPSA import Halo

env = os.environ
halo = Halo(env["HALO_TENANT"], env["HALO_CLIENT_ID"], env["HALO_SECRET"])

# Every client, as the library's get_all asks (no pages, count=100000).
everyone = halo.Clients.get_all(includeinactive=True)

# Asking 1,000 a page gets 100 (HaloPSA's cap, homotechsual/HaloAPI #90); page by page at 100,
# as HaloAPI's fix (#91) does, until record_count.
first = halo.Clients.search(pageinate=True, page_size=1000, page_no=1, includeinactive=True)
first_page = {"record_count": first["record_count"], "size": len(first["clients"])}
paged = []
page = 0
while True:
    page += 1
    answer = halo.Clients.search(
        pageinate=True, page_size=100, page_no=page, includeinactive=True
    )
    paged.extend(c["id"] for c in answer["clients"])
    if not answer["clients"] or len(paged) >= answer["record_count"]:
        break

# Without pages or a count: Halo's default of 50.
default = halo.Clients.search()

target = everyone[0]["id"]
halo.Clients.update(id=target, name="Renamed Through halopsa")
after = halo.Clients.get(target)

print(json.dumps({
    "all": [c["id"] for c in everyone],
    "paged": paged,
    "pages": page,
    "first_page": first_page,
    "default_size": len(default["clients"]),
    "target": target,
    "name_after": after["name"],
}))
