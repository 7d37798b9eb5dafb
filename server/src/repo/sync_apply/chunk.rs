//! Deciding a chunk of listed records against their local copies: what each one does (create,
//! update, orphan, nothing) and the events it leaves, by the rules of `crate::rules::decide`.

use super::*;

/// What one planned record does, decided against its local copy.
pub(super) enum Write {
    Create(Planned),
    Update {
        id: i64,
        sets: Vec<(&'static str, Val)>,
    },
}

pub(super) struct Outcome {
    pub(super) counts: SyncCounts,
    pub(super) events: Vec<NewEvent>,
    pub(super) writes: Vec<Write>,
}

impl Outcome {
    /// Nothing done yet; the log starts with what the run says about itself.
    pub(super) fn noting(notes: &[String]) -> Self {
        Outcome {
            counts: SyncCounts::default(),
            events: notes
                .iter()
                .map(|message| NewEvent {
                    level: EventLevel::Info,
                    kind: None,
                    item_id: None,
                    psa_id: None,
                    reason: None,
                    message: message.clone(),
                })
                .collect(),
            writes: Vec::new(),
        }
    }

    pub(super) fn event(
        &mut self,
        level: EventLevel,
        p: &Planned,
        item: Option<i64>,
        reason: Option<OrphanReason>,
        message: String,
    ) {
        self.events.push(NewEvent {
            level,
            kind: Some(p.kind),
            item_id: item,
            psa_id: Some(p.psa_id),
            reason,
            message,
        });
    }
}

/// Stand-alone items a first sync may match, by matching key.
pub(super) type Candidates = HashMap<String, Vec<(i64, bool)>>;

pub(super) fn kind_word(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Organization => "Organization",
        ItemKind::Configuration => "Configuration",
        ItemKind::Contact => "Contact",
        ItemKind::Location => "Location",
    }
}

/// Decides what happens to each planned record of a chunk.
pub(super) fn decide_chunk(
    planned: Vec<Planned>,
    locals: &HashMap<i64, Local>,
    tombstones: &HashSet<(ItemKind, i64)>,
    candidates: &mut Candidates,
    mode: SyncMode,
    now: DateTime<Utc>,
    out: &mut Outcome,
) {
    for p in planned {
        if tombstones.contains(&(p.kind, p.psa_id)) {
            // Disconnected one at a time and deleted since: never recreated by a sync (rule 5).
            continue;
        }
        let local = locals.get(&p.psa_id);
        if local.is_none() && p.target == Target::Enabled {
            let matched = p
                .match_key
                .as_ref()
                .and_then(|k| candidates.get_mut(k))
                .and_then(|ids| ids.pop());
            if let Some((id, had_data)) = matched {
                // Rule 6: link the stand-alone item instead of creating a duplicate.
                let mut sets = p.fields.clone();
                sets.extend(p.class.clone());
                sets.push(("integration_id", Val::Int(None)));
                sets.push(("psa_id", Val::Int(Some(p.psa_id))));
                sets.push(("sync_state", Val::Text(Some("enabled".into()))));
                sets.push(("orphan_reason", Val::Text(None)));
                sets.push(("sync_error", Val::Text(None)));
                sets.push(("had_data_before_first_sync", Val::Bool(had_data)));
                let note = if had_data {
                    "; it had data before the first sync"
                } else {
                    ""
                };
                out.event(
                    EventLevel::Info,
                    &p,
                    Some(id),
                    None,
                    format!(
                        "{} \"{}\" matched an existing stand-alone item instead of \
                        a duplicate{note}",
                        kind_word(p.kind),
                        p.label
                    ),
                );
                out.counts.updated += 1;
                out.writes.push(Write::Update {
                    id,
                    sets: link_sets(sets, now),
                });
                continue;
            }
        }
        let transition = decide::transition(local.map(|l| l.link), &p.target, mode);
        let (link, error, write_fields) = match transition {
            Transition::Skip => continue,
            Transition::Create => {
                out.counts.created += 1;
                out.writes.push(Write::Create(p));
                continue;
            }
            Transition::FailNew(message) => {
                out.counts.failed += 1;
                out.event(EventLevel::Error, &p, None, None, message);
                continue;
            }
            Transition::Set {
                link,
                error,
                write_fields,
            } => (Some(link), error, write_fields),
            Transition::Keep { write_fields } => (None, None, write_fields),
        };
        let Some(local) = local else { continue };
        let mut sets: Vec<(&'static str, Val)> = Vec::new();
        let wanted = p
            .class
            .iter()
            .chain(p.fields.iter().filter(|_| write_fields));
        for (col, val) in wanted {
            if local.values.get(col) != Some(val) {
                sets.push((col, val.clone()));
            }
        }
        let mut level_event = None;
        if let Some(link) = link {
            if link != local.link || error != local.error {
                sets.push(("sync_state", Val::Text(Some(link.state.as_str().into()))));
                sets.push((
                    "orphan_reason",
                    Val::Text(link.reason.map(|r| r.as_str().into())),
                ));
                sets.push(("sync_error", Val::Text(error.clone())));
            }
            match (link.state, local.link.state) {
                (SyncState::Error, _) => {
                    out.counts.failed += 1;
                    level_event =
                        Some((EventLevel::Error, None, error.clone().unwrap_or_default()));
                }
                (SyncState::Orphaned, SyncState::Orphaned) if link.reason != local.link.reason => {
                    let r = link.reason.unwrap_or(OrphanReason::DeletedInPsa);
                    level_event = Some((
                        EventLevel::Warning,
                        Some(r),
                        format!(
                            "{} \"{}\" is still an orphan, now because: {}",
                            kind_word(p.kind),
                            p.label,
                            r.label()
                        ),
                    ));
                }
                (SyncState::Orphaned, SyncState::Orphaned) => {}
                (SyncState::Orphaned, _) => {
                    let r = link.reason.unwrap_or(OrphanReason::DeletedInPsa);
                    out.counts.orphaned += 1;
                    level_event = Some((
                        EventLevel::Warning,
                        Some(r),
                        format!(
                            "{} \"{}\" became an orphan: {}",
                            kind_word(p.kind),
                            p.label,
                            r.label()
                        ),
                    ));
                }
                (SyncState::Enabled, before) if before != SyncState::Enabled => {
                    level_event = Some((
                        EventLevel::Info,
                        None,
                        format!("{} \"{}\" syncs again", kind_word(p.kind), p.label),
                    ));
                }
                _ => {}
            }
        }
        let orphaned_now = link.is_some_and(|l| {
            l.state == SyncState::Orphaned && local.link.state != SyncState::Orphaned
        });
        let failed_now = link.is_some_and(|l| l.state == SyncState::Error);
        if let Some((level, reason, message)) = level_event {
            out.event(level, &p, Some(local.id), reason, message);
        }
        if sets.is_empty() {
            if !failed_now {
                out.counts.unchanged += 1;
            }
            continue;
        }
        if !orphaned_now && !failed_now {
            out.counts.updated += 1;
        }
        out.writes.push(Write::Update {
            id: local.id,
            sets: link_sets(sets, now),
        });
    }
}

/// Adds the bookkeeping columns of an update.
pub(super) fn link_sets(
    mut sets: Vec<(&'static str, Val)>,
    now: DateTime<Utc>,
) -> Vec<(&'static str, Val)> {
    sets.retain(|(c, _)| *c != "last_synced_at");
    sets.push(("last_synced_at", Val::Text(Some(now.to_rfc3339()))));
    sets.push(("updated_at", Val::Text(Some(now.to_rfc3339()))));
    sets
}
