//! Files a user downloads: a removal's deletion archive and an account export, each checked by
//! the same rule as its page and then streamed a page or a stored chunk at a time, so memory
//! holds one page whatever the file's size. The HTTP layer only sets the headers.

use super::AppServices;
use crate::repo::ArchiveCursor;
use app::error::AppError;
use app::model::CurrentUser;
use app::model::JobId;
use app::services::{ExportServices, RemovalServices};
use futures_util::stream::{self, BoxStream, StreamExt};

/// Archive rows read at a time while streaming a deletion archive.
const ARCHIVE_PAGE: i64 = 500;

/// A file to send: its type, its name, its length when known, and its bytes as they are read.
/// A read that fails half-way ends the stream with an error (the cause is logged), so the
/// browser reports a failed download rather than saving half a file as whole.
pub struct Download {
    pub content_type: &'static str,
    pub file_name: String,
    pub length: Option<u64>,
    pub body: BoxStream<'static, Result<Vec<u8>, std::io::Error>>,
}

impl AppServices {
    /// Everything removal `job` deleted, as one JSON document: the removal, then its records
    /// (`{"kind", "id", "record"}`). Administrators, while the archive is kept.
    pub async fn removal_archive_download(
        &self,
        user: &CurrentUser,
        job: JobId,
    ) -> Result<Download, AppError> {
        let removal = self.removal_archive(user, job).await?;
        let head = serde_json::json!({
            "removal": removal.id,
            "state": removal.state,
            "deleted": removal.deleted,
            "skipped": removal.skipped,
            "queued_at": removal.created_at,
        })
        .to_string();
        let head = format!("{},\"records\":[", head.trim_end_matches('}'));
        let repo = self.repo.clone();
        let account = user.account_id;
        let pages = stream::unfold(Some((ArchiveCursor::default(), true)), move |cursor| {
            let repo = repo.clone();
            async move {
                let (after, first) = cursor?;
                match repo
                    .deletion_archive_page(account, job, after, ARCHIVE_PAGE)
                    .await
                {
                    Ok((rows, _)) if rows.is_empty() => Some((Ok(b"]}".to_vec()), None)),
                    Ok((rows, next)) => {
                        let mut chunk = String::new();
                        for (n, (kind, id, payload)) in rows.into_iter().enumerate() {
                            if !(first && n == 0) {
                                chunk.push(',');
                            }
                            let record: serde_json::Value = serde_json::from_str(&payload)
                                .unwrap_or(serde_json::Value::String(payload));
                            chunk.push_str(
                                &serde_json::json!({ "kind": kind, "id": id, "record": record })
                                    .to_string(),
                            );
                        }
                        Some((Ok(chunk.into_bytes()), Some((next, false))))
                    }
                    Err(e) => {
                        tracing::error!(error = ?e, %job, "reading a deletion archive");
                        Some((
                            Err(std::io::Error::other("the archive could not be read")),
                            None,
                        ))
                    }
                }
            }
        });
        Ok(Download {
            content_type: "application/json",
            file_name: format!("steward-deletion-archive-{job}.json"),
            length: None,
            body: stream::once(async move { Ok(head.into_bytes()) })
                .chain(pages)
                .boxed(),
        })
    }

    /// Account export `job`'s ZIP, a stored chunk at a time. Administrators without
    /// restrictions.
    pub async fn export_download(
        &self,
        user: &CurrentUser,
        job: JobId,
    ) -> Result<Download, AppError> {
        let export = self.export_file(user, job).await?;
        let repo = self.repo.clone();
        let account = user.account_id;
        let chunks = stream::unfold(Some(0i64), move |seq| {
            let repo = repo.clone();
            async move {
                let seq = seq?;
                match repo.export_chunk(account, job, seq).await {
                    Ok(Some(data)) => Some((Ok(data), Some(seq + 1))),
                    Ok(None) => None,
                    Err(e) => {
                        tracing::error!(error = ?e, %job, "reading an export");
                        Some((
                            Err(std::io::Error::other("the export could not be read")),
                            None,
                        ))
                    }
                }
            }
        });
        let stamp = export.finished_at.unwrap_or(export.created_at);
        Ok(Download {
            content_type: "application/zip",
            file_name: format!(
                "steward-export-{}-{}.zip",
                export.id,
                stamp.format("%Y%m%d-%H%M")
            ),
            length: Some(export.bytes as u64),
            body: chunks.boxed(),
        })
    }
}
