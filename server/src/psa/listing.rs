//! A listing proves itself complete before anything is taken as deleted in the PSA (docs/DOMAIN.md,
//! sync rule 1). Every connector's listing is wrapped in [`Checked`]: the PSA's own count of the
//! listing is read before the first page and again after the last (`Pages::count`: ConnectWise
//! `…/count`, Autotask `…/query/count`, HaloPSA's `record_count`), and the listing must return
//! exactly that many distinct records, none twice, in a bounded number of pages. Anything else
//! fails the listing, and a failed listing changes nothing.
//!
//! Why each check: HaloPSA caps a page at 100 whatever `page_size` asks (homotechsual/HaloAPI
//! #90), so a connector that stops at the first short page lists 100 of 717 clients; an offset
//! page that shifts because a record was added or deleted meanwhile skips or repeats a record;
//! a PSA (or whatever answers at a Manager's chosen site) may lie about its size or page forever.

use super::ConnectorError;
use super::Pages;
use crate::rules::records::{Listed, PsaSite};
use app::model::PsaKind;
use std::collections::HashSet;

/// Pages a listing may take before it is stopped as endless: 20 million records at 100 a page
/// (HaloPSA's cap), far beyond any MSP's PSA.
pub const MAX_PAGES: u64 = 200_000;

/// A listing checked against the PSA's count and its own paging.
pub struct Checked<'a, T> {
    inner: Box<dyn Pages<T> + 'a>,
    psa: PsaKind,
    endpoint: String,
    /// The PSA's count before the first page, once read.
    before: Option<u64>,
    seen: HashSet<i64>,
    pages: u64,
    done: bool,
}

/// Wraps `inner` so that it ends only when it proved itself complete.
pub fn checked<'a, T: Listed + Send + 'a>(
    inner: Box<dyn Pages<T> + 'a>,
    psa: PsaKind,
    endpoint: impl Into<String>,
) -> Box<dyn Pages<T> + 'a> {
    Box::new(Checked {
        inner,
        psa,
        endpoint: endpoint.into(),
        before: None,
        seen: HashSet::new(),
        pages: 0,
        done: false,
    })
}

impl<T> Checked<'_, T> {
    fn incomplete(&self, message: String) -> ConnectorError {
        ConnectorError::Incomplete {
            psa: self.psa,
            endpoint: self.endpoint.clone(),
            message,
        }
    }
}

#[async_trait::async_trait]
impl<T: Listed + Send> Pages<T> for Checked<'_, T> {
    async fn next_page(&mut self) -> Result<Option<Vec<T>>, ConnectorError> {
        if self.done {
            return Ok(None);
        }
        let before = match self.before {
            Some(n) => n,
            None => {
                let n = self.inner.count().await?;
                self.before = Some(n);
                n
            }
        };
        match self.inner.next_page().await? {
            Some(page) => {
                self.pages += 1;
                if self.pages > MAX_PAGES {
                    return Err(self.incomplete(format!(
                        "it went on past {MAX_PAGES} pages; Steward stopped reading it"
                    )));
                }
                for record in &page {
                    let id = record.psa_id();
                    if !self.seen.insert(id) {
                        return Err(self.incomplete(format!(
                            "record {id} came twice (again on page {}): the pages \
                                overlapped, so others may have been skipped",
                            self.pages
                        )));
                    }
                }
                let listed = self.seen.len() as u64;
                if listed > before.saturating_mul(2).saturating_add(1_000) {
                    return Err(self.incomplete(format!(
                        "it listed {listed} records although it counts {before}; \
                            Steward stopped reading it"
                    )));
                }
                Ok(Some(page))
            }
            None => {
                let after = self.inner.count().await?;
                let listed = self.seen.len() as u64;
                if after != before {
                    return Err(self.incomplete(format!(
                        "its count changed while it was read ({before} before, {after} \
                            after), so records may have moved between pages"
                    )));
                }
                if listed != after {
                    return Err(
                        self.incomplete(format!("it returned {listed} records but counts {after}"))
                    );
                }
                self.done = true;
                Ok(None)
            }
        }
    }

    async fn count(&mut self) -> Result<u64, ConnectorError> {
        self.inner.count().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::records::PsaSite;

    /// Pages of sites with these ids, and the counts the "PSA" reports in turn.
    struct Fake {
        pages: Vec<Vec<i64>>,
        counts: Vec<u64>,
    }

    fn site(id: i64) -> PsaSite {
        PsaSite {
            psa_id: id,
            company_psa_id: 1,
            name: String::new(),
            address_line1: None,
            city: None,
            region: None,
            postal_code: None,
            country: None,
            phone: None,
            last_updated: None,
        }
    }

    #[async_trait::async_trait]
    impl Pages<PsaSite> for Fake {
        async fn next_page(&mut self) -> Result<Option<Vec<PsaSite>>, ConnectorError> {
            if self.pages.is_empty() {
                return Ok(None);
            }
            Ok(Some(self.pages.remove(0).into_iter().map(site).collect()))
        }
        async fn count(&mut self) -> Result<u64, ConnectorError> {
            Ok(if self.counts.len() > 1 {
                self.counts.remove(0)
            } else {
                self.counts[0]
            })
        }
    }

    async fn read(pages: Vec<Vec<i64>>, counts: Vec<u64>) -> Result<usize, String> {
        let mut c = checked(Box::new(Fake { pages, counts }), PsaKind::Halopsa, "Site");
        let mut n = 0;
        while let Some(p) = c.next_page().await.map_err(|e| e.to_string())? {
            n += p.len();
        }
        Ok(n)
    }

    #[tokio::test]
    async fn a_listing_ends_only_when_it_returned_exactly_what_the_psa_counts() {
        assert_eq!(read(vec![vec![1, 2], vec![3]], vec![3]).await, Ok(3));
        assert_eq!(
            read(vec![], vec![0]).await,
            Ok(0),
            "an empty PSA is complete"
        );
        let short = read(vec![vec![1, 2]], vec![3]).await.unwrap_err();
        assert!(
            short.contains("returned 2 records but counts 3")
                && short.contains("Nothing was changed"),
            "{short}"
        );
        let repeated = read(vec![vec![1, 2], vec![2, 3]], vec![4])
            .await
            .unwrap_err();
        assert!(repeated.contains("record 2 came twice"), "{repeated}");
        let moved = read(vec![vec![1, 2, 3]], vec![3, 4]).await.unwrap_err();
        assert!(moved.contains("3 before, 4 after"), "{moved}");
        let endless = read(vec![(1..=2_000).collect()], vec![10])
            .await
            .unwrap_err();
        assert!(endless.contains("although it counts 10"), "{endless}");
    }
}

/// Every company's sites, read in one listing on the first ask of a run (one request per
/// company would spend a PSA's request budget on sites alone) and forgotten when the next run's
/// company listing starts. The Autotask and HaloPSA connectors keep one.
#[derive(Default)]
pub struct SitesOnce(tokio::sync::Mutex<Option<std::collections::HashMap<i64, Vec<PsaSite>>>>);

impl SitesOnce {
    /// A new listing begins: what was read for the last one may be out of date.
    pub fn forget(&self) {
        if let Ok(mut sites) = self.0.try_lock() {
            *sites = None;
        }
    }

    /// The sites of `company`, reading `all` (every company's) first if this run has not yet.
    pub async fn of(
        &self,
        company: i64,
        mut all: Box<dyn Pages<PsaSite> + '_>,
    ) -> Result<Vec<PsaSite>, ConnectorError> {
        let mut cached = self.0.lock().await;
        if cached.is_none() {
            let mut by_company: std::collections::HashMap<i64, Vec<PsaSite>> =
                std::collections::HashMap::new();
            while let Some(page) = all.next_page().await? {
                for s in page {
                    by_company.entry(s.company_psa_id).or_default().push(s);
                }
            }
            *cached = Some(by_company);
        }
        Ok(cached
            .as_ref()
            .and_then(|m| m.get(&company).cloned())
            .unwrap_or_default())
    }
}
