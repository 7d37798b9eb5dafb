"""ConnectWise Manage, read and written by connectpyse (PyPI, unmodified) as its users do.

Run by server/tests/third_party.rs against the ConnectWise simulator; prints one JSON object
of what it saw. Arguments come in the environment: CW_URL (the API base, e.g.
http://127.0.0.1:PORT/v4_6_release/apis/3.0), CW_COMPANY, CW_PUBLIC, CW_PRIVATE, CW_CLIENT_ID,
"""

import base64
import json
import os

from connectpyse.company import (
    companies_api,
    company_statuses_api,
    company_types_api,
    configurations_api,
)

env = os.environ
url = env["CW_URL"]
token = base64.b64encode(
    "{}+{}:{}".format(env["CW_COMPANY"], env["CW_PUBLIC"], env["CW_PRIVATE"]).encode()
).decode()
auth = {"Authorization": "Basic " + token, "clientId": env["CW_CLIENT_ID"]}

companies = companies_api.CompaniesAPI(url=url, auth=auth)
count = companies.get_companies_count()

# Every company, page by page (connectpyse's page and pageSize), as its README shows.
ids = []
companies.pageSize = 1000
companies.orderBy = "id asc"
page = 1
while True:
    companies.page = page
    batch = list(companies.get_companies())
    ids.extend(c.id for c in batch)
    if len(batch) < 1000:
        break
    page += 1

# Conditions and child conditions, as connectpyse sends them.
customers = companies_api.CompaniesAPI(url=url, auth=auth)
customers.childconditions = 'types/name="Customer"'
child_count = customers.get_companies_count()
customers = companies_api.CompaniesAPI(url=url, auth=auth)
customers.conditions = 'types/name="Customer"'
conditions_count = customers.get_companies_count()

configurations = configurations_api.ConfigurationsAPI(url=url, auth=auth)
configuration_count = configurations.get_configurations_count()

# Writes: a status through a PATCH, and a type through a PATCH (which ConnectWise ignores).
target = ids[0]
before = companies.get_company_by_id(target)
statuses = company_statuses_api.CompanyStatusAPI(url=url, auth=auth).get_company_statuses()
status = next(s.id for s in statuses if s.id != before.status["id"])
types = company_types_api.CompanyTypeAPI(url=url, auth=auth).get_company_types()
other_type = next(t.id for t in types if t.id not in [x["id"] for x in before.types])
companies.update_company(target, "status/id", status)
companies.update_company(target, "types", [{"id": other_type}])
after = companies.get_company_by_id(target)

print(json.dumps({
    "count": count,
    "ids": ids,
    "child_count": child_count,
    "conditions_count": conditions_count,
    "configuration_count": configuration_count,
    "target": target,
    "types_before": [t["id"] for t in before.types],
    "types_after": [t["id"] for t in after.types],
    "status_set": status,
    "status_after": after.status["id"],
    "type_tried": other_type,
}))
