//! The services' side of removals and row actions: a removal target checked and turned into
//! the job's arguments (role, integration, feature), a row's type or status looked up, and
//! removal jobs and activity entries as the screens show them.

use super::{internal, AppServices, Lookup};
use crate::repo::{CatalogValue, Queued, RemovalArgs, RemovalRow, RowTarget, Which};
use app::components::fmt_count;
use app::error::AppError;
use app::model::JobId;
use app::model::{
    CatalogValueId, CurrentUser, Feature, IntegrationId, ItemKind, RemovalImpact, RemovalJob,
    RemovalTarget,
};
use chrono::{Duration, Utc};

impl AppServices {
    /// A Synced Items row of the user's integration, or not found.
    pub(super) async fn row_value(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<CatalogValue, AppError> {
        self.own_integration(user, integration).await?;
        self.repo
            .catalog_value(user.account_id, integration, value)
            .await
            .found("loading a type or status", "That type or status")
    }

    /// Whether a search's or ticked items the PSA still syncs go too: only where the account
    /// has bulk delete by type.
    async fn deletes_syncing(&self, user: &CurrentUser) -> Result<bool, AppError> {
        self.repo
            .has_feature(user.account_id, Feature::BulkDeleteByType)
            .await
            .map_err(internal("reading the account's features"))
    }

    /// What a removal target deletes, checked: Managers and Administrators, the integration is
    /// the account's, and a type-or-status target needs its feature.
    pub(super) async fn removal_args(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
    ) -> Result<RemovalArgs, AppError> {
        Self::may_manage(user, "delete items")?;
        if let RemovalTarget::Search(text) = &target {
            if text.len() > 200 {
                return Err(AppError::invalid_input(
                    "The search is too long: use at most 200 characters",
                ));
            }
            let search = app::model::ItemSearch::parse(text).map_err(AppError::invalid_input)?;
            let include_syncing = self.deletes_syncing(user).await?;
            return Ok(RemovalArgs {
                integration: IntegrationId(0),
                kind: ItemKind::Organization,
                row: None,
                search: Some(search),
                include_syncing,
                reason: None,
                ids: None,
            });
        }
        if let RemovalTarget::Picked(ids) = target {
            let ids = picked(ids)?;
            let include_syncing = self.deletes_syncing(user).await?;
            return Ok(RemovalArgs {
                integration: IntegrationId(0),
                kind: ItemKind::Organization,
                row: None,
                search: Some(app::model::ItemSearch::default()),
                include_syncing,
                reason: None,
                ids: Some(ids),
            });
        }
        self.own_integration(user, integration).await?;
        let (value, feature, unavailable) = match target {
            RemovalTarget::Orphans(kind) => return Ok(RemovalArgs::orphans(integration, kind)),
            RemovalTarget::ChosenOrphans { kind, reason, ids } => {
                return Ok(RemovalArgs {
                    reason,
                    ids: ids.map(picked).transpose()?,
                    ..RemovalArgs::orphans(integration, kind)
                })
            }
            RemovalTarget::Search(_) | RemovalTarget::Picked(_) => unreachable!("handled above"),
            RemovalTarget::Row(v) => (
                v,
                Feature::BulkDeleteByType,
                "Bulk delete by type or status is unavailable on your account",
            ),
            RemovalTarget::RowFullDelete(v) => (
                v,
                Feature::FullDelete,
                "Permanently deleting all data of a type or status is unavailable on \
                    your account",
            ),
        };
        if !self
            .repo
            .has_feature(user.account_id, feature)
            .await
            .map_err(internal("reading the account's features"))?
        {
            return Err(AppError::new(
                app::error::ErrorCode::FeatureUnavailable,
                format!("{unavailable}: ask Steward support to enable it"),
            ));
        }
        let v = self.row_value(user, integration, value).await?;
        Ok(RemovalArgs {
            integration,
            kind: v.category.kind(),
            row: Some(RowTarget {
                category: v.category,
                value: v.id,
            }),
            search: None,
            include_syncing: false,
            reason: None,
            ids: None,
        })
    }

    /// The removals queued or running now and those that ended since `since`: what the live
    /// removal event stream follows.
    pub async fn live_removals(
        &self,
        user: &CurrentUser,
        since: chrono::DateTime<Utc>,
    ) -> Result<Vec<RemovalJob>, AppError> {
        self.removal_views(user, Which::LiveSince(since)).await
    }

    /// Removal jobs as the screens and the progress stream show them.
    pub async fn removal_views(
        &self,
        user: &CurrentUser,
        which: Which,
    ) -> Result<Vec<RemovalJob>, AppError> {
        let rows = self
            .repo
            .removal_rows(
                user.account_id,
                user.restricted.then_some(user.user_id),
                which,
            )
            .await
            .map_err(internal("loading removals"))?;
        let now = Utc::now();
        Ok(rows
            .into_iter()
            .map(|r| removal_view(r, now, self.archive_retention))
            .collect())
    }
}

/// Ticked items, checked: some, not too many, each once.
fn picked(mut ids: Vec<i64>) -> Result<Vec<i64>, AppError> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::invalid_input(
            "Nothing is ticked: tick the items to delete, or use a filter",
        ));
    }
    if ids.len() > app::model::MAX_PICKED {
        return Err(AppError::invalid_input(format!(
            "At most {} ticked items go in one Delete: use a filter or a search for more",
            app::components::fmt_count(app::model::MAX_PICKED as i64)
        )));
    }
    Ok(ids)
}

/// A removal job as people see it: rate and time left from its progress since a worker first
/// took it; its archive downloadable until the retention period after its end.
pub(super) fn removal_view(
    r: RemovalRow,
    now: chrono::DateTime<Utc>,
    retention: Duration,
) -> RemovalJob {
    let end = r.finished_at.unwrap_or(now);
    let running_ms = r
        .started_at
        .map(|s| (end - s).num_milliseconds())
        .unwrap_or(0)
        .max(1);
    let rate = if r.started_at.is_some() {
        r.done as f64 * 1000.0 / running_ms as f64
    } else {
        0.0
    };
    let finished = r.finished_at.is_some();
    RemovalJob {
        id: JobId(r.id),
        integration: r.args.integration,
        kind: r.args.kind,
        what: r.what,
        state: r.state,
        started_by: r.started_by,
        done: r.done,
        total: r.total,
        deleted: r.deleted,
        skipped: r.skipped,
        inside: r.inside,
        fully_restored: r.fully_restored,
        created_at: r.created_at,
        finished_at: r.finished_at,
        rate,
        eta_seconds: (!finished && rate > 0.0)
            .then(|| ((r.total - r.done) as f64 / rate).ceil() as i64),
        elapsed_ms: (end - r.created_at).num_milliseconds().max(0),
        cancel_requested: r.cancel_requested,
        error: r.error,
        archive_available: r.finished_at.is_none_or(|f| f >= now - retention),
    }
}

/// An activity entry's JSON details as "key: value" pairs, by key.
pub(super) fn activity_details(json: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                // Milliseconds read as seconds: "duration: 0.8 s", not "duration ms: 845".
                if let (Some(name), Some(ms)) = (k.strip_suffix("_ms"), v.as_f64()) {
                    return (name.replace('_', " "), format!("{:.1} s", ms / 1000.0));
                }
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k.replace('_', " "), v)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[async_trait::async_trait]
impl app::services::RemovalServices for AppServices {
    async fn removal_impact(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
    ) -> Result<RemovalImpact, AppError> {
        let args = self.removal_args(user, integration, target).await?;
        let mut impact = self
            .repo
            .removal_impact(user, &args)
            .await
            .map_err(internal("computing a removal's impact"))?;
        impact.restorable_until = Some(Utc::now() + self.archive_retention);
        Ok(impact)
    }
    async fn start_removal(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
        typed: String,
    ) -> Result<RemovalJob, AppError> {
        let args = self.removal_args(user, integration, target).await?;
        let typed: i64 = typed.trim().replace(',', "").parse().map_err(|_| {
            AppError::invalid_input("Type the number of items, in digits, to confirm")
        })?;
        let impact = self
            .repo
            .removal_impact(user, &args)
            .await
            .map_err(internal("computing a removal's impact"))?;
        if impact.items == 0 {
            return Err(AppError::invalid_input("There is nothing to delete"));
        }
        if typed != impact.items {
            return Err(AppError::invalid_input(format!(
                "{} items would go now, not the {} confirmed: the items changed since they \
                    were shown. Review what goes and confirm again",
                fmt_count(impact.items),
                fmt_count(typed)
            )));
        }
        match self
            .repo
            .queue_removal(user, &args, typed)
            .await
            .map_err(internal("queueing a removal"))?
        {
            Queued::Job(job) => {
                crate::feed::changed(&self.repo.db, user.account_id).await;
                self.removal(user, job).await
            }
            Queued::CountChanged(n) => Err(AppError::conflict(format!(
                "The items to delete changed while you confirmed: there are now {n}. \
                    Review the impact and confirm again"
            ))),
            Queued::AlreadyQueued => Err(AppError::conflict(
                "A removal of these items is already queued or running: watch it on \
                    the Removals page",
            )),
        }
    }
    async fn removal_archive(
        &self,
        user: &CurrentUser,
        job: JobId,
    ) -> Result<RemovalJob, AppError> {
        if user.role != app::model::Role::Administrator {
            return Err(AppError::forbidden("download a deletion archive"));
        }
        let removal = self.removal(user, job).await?;
        if !removal.archive_available {
            return Err(AppError::new(
                app::error::ErrorCode::NotFound,
                format!(
                    "The deletion archive of removal {job} has expired: archives are \
                        kept {} days after a removal ends",
                    self.archive_retention.num_days()
                ),
            ));
        }
        Ok(removal)
    }
    async fn removal(&self, user: &CurrentUser, job: JobId) -> Result<RemovalJob, AppError> {
        self.removal_views(user, Which::One(job))
            .await?
            .pop()
            .ok_or_else(|| AppError::not_found("That removal"))
    }
    async fn cancel_removal(&self, user: &CurrentUser, job: JobId) -> Result<RemovalJob, AppError> {
        Self::may_manage(user, "cancel a removal")?;
        self.removal(user, job).await?;
        self.repo
            .cancel_job(user.account_id, job)
            .await
            .map_err(internal("cancelling a removal"))?;
        crate::feed::changed(&self.repo.db, user.account_id).await;
        self.removal(user, job).await
    }
    async fn removals(&self, user: &CurrentUser) -> Result<Vec<RemovalJob>, AppError> {
        Self::may_manage(user, "see the removals")?;
        self.removal_views(user, Which::Newest(100)).await
    }
}
