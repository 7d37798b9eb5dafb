// Autotask, read and written by @apigrate/autotask-restapi (npm, unmodified) as its users do.
//
// Run by server/tests/third_party.rs against the Autotask simulator; prints one JSON object of
// what it saw. The environment names AT_BASE (the discovery base, e.g.
// http://127.0.0.1:PORT/atservicesrest/), AT_USER, AT_SECRET and AT_CODE.
const { AutotaskRestApi } = require('@apigrate/autotask-restapi');

async function main() {
  const env = process.env;
  const at = new AutotaskRestApi(env.AT_USER, env.AT_SECRET, env.AT_CODE, { base_url: env.AT_BASE });
  const all = { filter: [{ op: 'gte', field: 'id', value: 0 }] };
  const { queryCount } = await at.Companies.count(all);
  // Every company, 500 at a time by id, as the library's users page (it has no next-page call).
  const ids = [];
  let last = -1;
  let firstPage = null;
  for (;;) {
    const page = await at.Companies.query({
      filter: [{ op: 'gt', field: 'id', value: last }],
      includeFields: ['id', 'companyName', 'companyType'],
    });
    if (!firstPage) firstPage = page.pageDetails;
    for (const c of page.items) ids.push(c.id);
    if (page.items.length < 500) break;
    last = page.items[page.items.length - 1].id;
  }
  const target = ids[0];
  const before = await at.Companies.get(target);
  const info = await at.Companies.fieldInfo();
  const field = info.fields.find((f) => f.name.toLowerCase() === 'companytype');
  const other = field.picklistValues.find((v) => v.isActive && Number(v.value) !== before.item.companyType);
  await at.Companies.update({ id: target, companyType: Number(other.value) });
  const after = await at.Companies.get(target);
  // replace() is a PUT of the whole record: every field sent, one changed.
  await at.Companies.replace({ ...after.item, companyName: 'Replaced Through apigrate' });
  const replaced = await at.Companies.get(target);
  const missing = await at.Companies.get(2147483000);
  let refused = null;
  try {
    await new AutotaskRestApi(env.AT_USER, 'wrong', env.AT_CODE, { base_url: env.AT_BASE }).Companies.get(target);
  } catch (e) {
    refused = e.status;
  }
  console.log(JSON.stringify({
    count: queryCount,
    ids,
    first_page: firstPage,
    target,
    type_before: before.item.companyType,
    type_set: Number(other.value),
    type_after: after.item.companyType,
    replaced_name: replaced.item.companyName,
    phone_before: after.item.phone,
    phone_after: replaced.item.phone,
    missing,
    refused,
  }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  if (e && e.details) console.error(JSON.stringify(e.details));
  process.exit(1);
});
