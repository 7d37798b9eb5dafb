//! Generating a dataset from a seed: the PSA's catalog, each company's fate (synced, orphaned
//! for each reason, disconnected, stand-alone) and what lives in it, and the plan of local sync
//! states the fixture loader writes.

use super::*;

fn catalog() -> Vec<CatalogEntry> {
    use CatalogCategory::*;
    // (category, name, synced, weight, active)
    let rows: &[(CatalogCategory, &str, bool, u32, bool)] = &[
        (OrganizationType, "Customer", true, 55, true),
        (OrganizationType, "Prospect", false, 14, true),
        (OrganizationType, "Lead", false, 9, true),
        (OrganizationType, "Vendor", true, 10, true),
        (OrganizationType, "Partner", true, 5, true),
        (OrganizationType, "Former Customer", false, 5, true),
        (OrganizationType, "Competitor", false, 2, true),
        (OrganizationStatus, "Active", true, 84, true),
        (OrganizationStatus, "Inactive", false, 10, true),
        (OrganizationStatus, "Not Approved", false, 3, true),
        (OrganizationStatus, "Credit Hold", true, 3, true),
        (ConfigurationType, "Workstation", true, 38, true),
        (ConfigurationType, "Laptop", true, 24, true),
        (ConfigurationType, "Server", true, 8, true),
        (ConfigurationType, "Firewall", true, 3, true),
        (ConfigurationType, "Switch", true, 5, true),
        (ConfigurationType, "Printer", true, 7, true),
        (ConfigurationType, "Wireless Access Point", true, 5, true),
        (ConfigurationType, "Mobile Device", false, 7, true),
        (ConfigurationType, "Managed Print Contract", false, 3, true),
        (ConfigurationStatus, "Active", true, 74, true),
        (ConfigurationStatus, "Spare", true, 6, true),
        (ConfigurationStatus, "On Order", false, 2, true),
        (ConfigurationStatus, "Inactive", false, 10, false),
        (ConfigurationStatus, "Retired", false, 8, false),
        (ContactType, "Primary Contact", true, 12, true),
        (ContactType, "Billing", true, 8, true),
        (ContactType, "Technical", true, 15, true),
        (ContactType, "Owner", true, 5, true),
        (ContactType, "End User", true, 52, true),
        (ContactType, "Former Employee", false, 8, true),
    ];
    let mut next_id = std::collections::HashMap::new();
    rows.iter()
        .map(|&(category, name, sync_enabled, weight, active)| {
            let id = next_id.entry(category).or_insert(0i64);
            *id += 1;
            CatalogEntry {
                category,
                psa_id: *id,
                name,
                sync_enabled,
                weight,
                active,
            }
        })
        .collect()
}

fn pick_fate(
    rng: &mut Rng,
    stand_alone: f64,
    disabled: f64,
    error: f64,
    deleted: f64,
    gone: f64,
) -> Fate {
    let u = rng.unit();
    let mut edge = stand_alone;
    for (p, fate) in [
        (0.0, Fate::StandAlone),
        (disabled, Fate::Disabled),
        (error, Fate::Error),
        (deleted, Fate::DeletedInPsa),
        (gone, Fate::DisconnectedThenDeleted),
    ] {
        edge += p;
        if u < edge {
            return fate;
        }
    }
    Fate::Normal
}

impl Dataset {
    /// What a PSA holds and its simulators serve, with each record's index: the companies in the
    /// PSA (`Fate::in_psa`).
    pub fn served_companies(&self) -> impl Iterator<Item = (usize, &Company)> + Clone {
        self.companies
            .iter()
            .enumerate()
            .filter(|(_, c)| c.fate.in_psa())
    }

    /// Each company's first site (by index), whose address a PSA shows on the company.
    pub fn first_sites(&self) -> std::collections::HashMap<usize, &Site> {
        let mut first = std::collections::HashMap::new();
        for s in &self.sites {
            first.entry(s.company).or_insert(s);
        }
        first
    }

    fn company_served(&self, i: usize) -> bool {
        self.companies[i].fate.in_psa()
    }

    /// The sites in the PSA, of companies in the PSA.
    pub fn served_sites(&self) -> impl Iterator<Item = &Site> + Clone {
        self.sites
            .iter()
            .filter(|s| s.fate.in_psa() && self.company_served(s.company))
    }

    /// The contacts in the PSA, of companies in the PSA.
    pub fn served_contacts(&self) -> impl Iterator<Item = &Contact> + Clone {
        self.contacts
            .iter()
            .filter(|c| c.fate.in_psa() && self.company_served(c.company))
    }

    /// The configurations in the PSA, of companies in the PSA.
    pub fn served_configurations(&self) -> impl Iterator<Item = &Configuration> + Clone {
        self.configurations
            .iter()
            .filter(|c| c.fate.in_psa() && self.company_served(c.company))
    }

    /// Generates the dataset of a size from a seed. Same inputs, same dataset.
    pub fn generate(size: Size, seed: u64) -> Dataset {
        let n = size.counts();
        let mut rng = Rng::new(seed);
        let catalog = catalog();
        let of = |c: CatalogCategory| -> (Vec<usize>, Vec<u32>) {
            catalog
                .iter()
                .enumerate()
                .filter(|(_, e)| e.category == c)
                .map(|(i, e)| (i, e.weight))
                .unzip()
        };
        let (org_types, org_type_w) = of(CatalogCategory::OrganizationType);
        let (org_statuses, org_status_w) = of(CatalogCategory::OrganizationStatus);
        let (cfg_types, cfg_type_w) = of(CatalogCategory::ConfigurationType);
        let (cfg_statuses, cfg_status_w) = of(CatalogCategory::ConfigurationStatus);
        let (contact_types, contact_type_w) = of(CatalogCategory::ContactType);
        let epoch = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let stamp = |rng: &mut Rng| epoch + Duration::seconds(rng.below(300 * 86_400) as i64);

        let mut seen_names = HashSet::new();
        let mut seen_ids = HashSet::new();
        let mut companies = Vec::with_capacity(n.companies);
        for i in 0..n.companies {
            let first = *rng.pick(names::COMPANY_FIRST);
            let second = *rng.pick(names::COMPANY_SECOND);
            let suffix = *rng.pick(names::COMPANY_SUFFIX);
            let mut name = format!("{first} {second} {suffix}");
            if !seen_names.insert(name.clone()) {
                let (city, _, _) = *rng.pick(names::CITIES);
                name = format!("{first} {second} of {city} {suffix}");
                if !seen_names.insert(name.clone()) {
                    name = format!("{first} {second} {suffix} {}", i + 1);
                    seen_names.insert(name.clone());
                }
            }
            let base: String = format!("{first}{second}")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(20)
                .collect();
            let mut identifier = base.clone();
            let mut k = 2;
            while !seen_ids.insert(identifier.clone()) {
                identifier = format!("{base}{k}");
                k += 1;
            }
            let fate = pick_fate(&mut rng, 0.03, 0.02, 0.005, 0.02, 0.0);
            let had_data = fate != Fate::StandAlone && rng.chance(0.05);
            companies.push(Company {
                psa_id: 19_000 + i as i64 + 1,
                website: format!("www.{}.com", identifier.to_lowercase()),
                identifier,
                name,
                type_idx: org_types[rng.weighted(&org_type_w)],
                status_idx: org_statuses[rng.weighted(&org_status_w)],
                phone: format!("(555) {:03}-{:04}", 200 + rng.below(800), rng.below(10_000)),
                last_updated: stamp(&mut rng),
                fate,
                had_data_before_first_sync: had_data,
            });
        }

        let mut sites = Vec::with_capacity(n.sites);
        for i in 0..n.sites {
            // Every company gets its main office first; the rest are branches of the bigger clients.
            let company = if i < n.companies {
                i
            } else {
                rng.skewed(n.companies)
            };
            let (city, state, zip) = *rng.pick(names::CITIES);
            sites.push(Site {
                psa_id: 800 + i as i64 + 1,
                company,
                name: if i < n.companies {
                    "Main Office".to_string()
                } else {
                    format!("Branch - {city} {}", i + 1)
                },
                address_line1: format!("{} {}", 100 + rng.below(9_800), rng.pick(names::STREETS)),
                city: city.to_string(),
                region: state.to_string(),
                postal_code: format!("{zip}{:02}", rng.below(100)),
                country: "United States",
                phone: format!("(555) {:03}-{:04}", 200 + rng.below(800), rng.below(10_000)),
                last_updated: stamp(&mut rng),
                fate: pick_fate(&mut rng, 0.02, 0.005, 0.0, 0.01, 0.002),
            });
        }

        let mut contacts = Vec::with_capacity(n.contacts);
        for i in 0..n.contacts {
            let company = rng.skewed(n.companies);
            let first_name = *rng.pick(names::FIRST_NAMES);
            let last_name = *rng.pick(names::LAST_NAMES);
            contacts.push(Contact {
                psa_id: 30_000 + i as i64 + 1,
                company,
                first_name,
                last_name,
                email: format!(
                    "{}.{}{}@{}.com",
                    first_name.to_lowercase(),
                    last_name.to_lowercase(),
                    i,
                    companies[company].identifier.to_lowercase()
                ),
                type_idx: contact_types[rng.weighted(&contact_type_w)],
                last_updated: stamp(&mut rng),
                fate: pick_fate(&mut rng, 0.03, 0.01, 0.003, 0.02, 0.003),
            });
        }

        let mut configurations = Vec::with_capacity(n.configurations);
        for i in 0..n.configurations {
            let company = rng.skewed(n.companies);
            let type_idx = cfg_types[rng.weighted(&cfg_type_w)];
            let status_idx = cfg_statuses[rng.weighted(&cfg_status_w)];
            let code: String = catalog[type_idx]
                .name
                .split_whitespace()
                .map(|w| &w[..1])
                .collect::<String>();
            let prefix: String = companies[company]
                .identifier
                .chars()
                .filter(|c| c.is_ascii_uppercase())
                .take(3)
                .collect();
            configurations.push(Configuration {
                psa_id: 100_000 + i as i64 + 1,
                company,
                name: format!("{prefix}-{}{:05}", code.to_uppercase(), i + 1),
                serial_number: rng.alnum(10),
                type_idx,
                status_idx,
                active: catalog[status_idx].active,
                last_updated: stamp(&mut rng),
                fate: pick_fate(&mut rng, 0.02, 0.01, 0.005, 0.015, 0.002),
            });
        }

        let mut passwords = Vec::new();
        let mut documents = Vec::new();
        for (ci, c) in companies.iter().enumerate() {
            for _ in 0..rng.below(7) {
                let secret: Vec<u8> = (0..32).map(|_| rng.next_u64() as u8).collect();
                passwords.push(Password {
                    company: ci,
                    name: names::PASSWORD_NAMES[rng.below(names::PASSWORD_NAMES.len())],
                    username: format!("admin@{}.com", c.identifier.to_lowercase()),
                    url: format!("https://{}", c.website),
                    secret_ciphertext: secret,
                });
            }
            for _ in 0..rng.below(5) {
                let title = *rng.pick(names::DOCUMENT_TITLES);
                documents.push(Document {
                    company: ci,
                    title,
                    body: format!(
                        "{title} for {}. Maintained by the service desk; review quarterly.",
                        c.name
                    ),
                });
            }
        }

        Dataset {
            size,
            seed,
            catalog,
            companies,
            sites,
            contacts,
            configurations,
            passwords,
            documents,
        }
    }

    /// The sync state each item has after a full sync under the catalog's checkboxes (the sync
    /// rules of docs/DOMAIN.md), with the fates decided by the seed.
    pub fn plan(&self) -> Plan {
        let synced = |idx: usize| self.catalog[idx].sync_enabled;
        let fated = |fate: Fate| match fate {
            Fate::StandAlone => Some(Link::STAND_ALONE),
            Fate::Disabled => Some(Link::of(SyncState::Disabled)),
            Fate::Error => Some(Link::of(SyncState::Error)),
            Fate::DeletedInPsa => Some(Link::orphan(OrphanReason::DeletedInPsa)),
            Fate::Normal | Fate::DisconnectedThenDeleted => None,
        };
        let companies: Vec<Link> = self
            .companies
            .iter()
            .map(|c| {
                fated(c.fate).unwrap_or_else(|| {
                    if !synced(c.type_idx) {
                        Link::orphan(OrphanReason::TypeNotSynced)
                    } else if !synced(c.status_idx) {
                        Link::orphan(OrphanReason::StatusNotSynced)
                    } else {
                        Link::ENABLED
                    }
                })
            })
            .collect();
        // Children follow their organization: none of a stand-alone organization is linked, and
        // everything in an orphaned one is orphaned too (unless its own sync is off or failed).
        let child = |company: usize, fate: Fate, own: &dyn Fn() -> Link| -> Link {
            let parent = companies[company];
            if parent.state.is_none() {
                return Link::STAND_ALONE;
            }
            // The PSA lists nothing of a company deleted in it: what is not disabled follows
            // its organization.
            if self.companies[company].fate == Fate::DeletedInPsa
                && !matches!(fate, Fate::Disabled | Fate::DisconnectedThenDeleted)
            {
                return Link::orphan(OrphanReason::ParentNotSyncing);
            }
            if let Some(link) = fated(fate) {
                return link;
            }
            if parent.state == Some(SyncState::Orphaned) {
                return Link::orphan(OrphanReason::ParentNotSyncing);
            }
            own()
        };
        let sites = self
            .sites
            .iter()
            .map(|s| child(s.company, s.fate, &|| Link::ENABLED))
            .collect();
        let contacts = self
            .contacts
            .iter()
            .map(|c| {
                child(c.company, c.fate, &|| {
                    if synced(c.type_idx) {
                        Link::ENABLED
                    } else {
                        Link::orphan(OrphanReason::TypeNotSynced)
                    }
                })
            })
            .collect();
        let configurations = self
            .configurations
            .iter()
            .map(|c| {
                child(c.company, c.fate, &|| {
                    if !synced(c.type_idx) {
                        Link::orphan(OrphanReason::TypeNotSynced)
                    } else if !synced(c.status_idx) && !c.active {
                        Link::orphan(OrphanReason::InactiveStatusNotSynced)
                    } else if !synced(c.status_idx) {
                        Link::orphan(OrphanReason::StatusNotSynced)
                    } else {
                        Link::ENABLED
                    }
                })
            })
            .collect();
        Plan {
            companies,
            sites,
            contacts,
            configurations,
        }
    }

    /// Items in the dataset (companies, configurations, contacts, sites).
    pub fn item_count(&self) -> usize {
        self.companies.len() + self.configurations.len() + self.contacts.len() + self.sites.len()
    }
}
