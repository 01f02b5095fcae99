//! The activity log: append-only and hash-chained. Each entry stores the hash of the one
//! before it in its chain (one chain per workspace, plus `platform` for installation events),
//! and is written in the same transaction as the change it records.

use cairn_domain::{DomainError, Result, UserId, WorkspaceId};
use cairn_store::Store;
use cairn_store::entities::{audit_entry, audit_head};
use cairn_store::sea_orm::sea_query::OnConflict;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::actor::{Actor, RequestMeta};
use crate::db_err;

/// The hash a chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Field names whose values never reach the log.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "password_hash",
    "secret",
    "token",
    "totp",
    "totp_secret_enc",
    "code",
];

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub workspace_id: Option<WorkspaceId>,
    pub actor_user_id: Option<UserId>,
    pub actor_label: String,
    pub action: &'static str,
    pub record_type: &'static str,
    pub record_id: Option<String>,
    /// The client the record belongs to, so client visibility can filter the log.
    pub client_id: Option<uuid::Uuid>,
    pub changes: Value,
    pub meta: RequestMeta,
}

impl Event {
    /// An event performed by `actor` in their workspace.
    pub fn by(
        actor: &Actor,
        action: &'static str,
        record_type: &'static str,
        record_id: impl ToString,
    ) -> Self {
        Self {
            workspace_id: Some(actor.workspace_id),
            actor_user_id: Some(actor.user_id),
            actor_label: actor.label(),
            action,
            record_type,
            record_id: Some(record_id.to_string()),
            client_id: None,
            changes: json!({}),
            meta: actor.meta.clone(),
        }
    }

    /// An event with no authenticated actor (login failure, setup, CLI).
    pub fn system(
        actor_label: impl Into<String>,
        action: &'static str,
        record_type: &'static str,
        meta: &RequestMeta,
    ) -> Self {
        Self {
            workspace_id: None,
            actor_user_id: None,
            actor_label: actor_label.into(),
            action,
            record_type,
            record_id: None,
            client_id: None,
            changes: json!({}),
            meta: meta.clone(),
        }
    }

    /// Marks the event as concerning a client's record.
    pub fn client(mut self, client_id: uuid::Uuid) -> Self {
        self.client_id = Some(client_id);
        self
    }

    /// Sets the field changes, redacting secret fields.
    pub fn changes(mut self, changes: Value) -> Self {
        self.changes = redact(changes);
        self
    }
}

/// Builds `{field: [before, after]}` for the fields that differ between two JSON objects.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for (k, av) in a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        if bv != av {
            out.insert(k.clone(), json!([bv, av]));
        }
    }
    Value::Object(out)
}

fn redact(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    if SECRET_FIELDS.iter().any(|s| k.contains(s)) {
                        (k, json!("[redacted]"))
                    } else {
                        (k, redact(v))
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// The chain a workspace's events go to (`None`: the installation's `platform` chain).
pub(crate) fn chain_key(ws: Option<WorkspaceId>) -> String {
    ws.map(|w| w.to_string())
        .unwrap_or_else(|| "platform".into())
}

/// The canonical bytes an entry's hash covers. serde_json sorts object keys (no
/// `preserve_order`), so the encoding is deterministic.
fn entry_hash(prev_hash: &str, e: &audit_entry::Model) -> String {
    let body = json!({
        "chain": e.chain_key, "seq": e.seq, "id": e.id, "workspace": e.workspace_id,
        "client": e.client_id, "actor": e.actor_user_id, "actor_label": e.actor_label,
        "action": e.action, "record_type": e.record_type, "record_id": e.record_id,
        "changes": e.changes, "ip": e.ip, "user_agent": e.user_agent,
        "at": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    });
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(body.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Appends `event` inside the caller's transaction. The chain head row is locked
/// (`FOR UPDATE` on PostgreSQL; SQLite has one writer) so concurrent writers cannot fork it.
pub async fn record<C: ConnectionTrait>(tx: &C, event: Event) -> Result<()> {
    let key = chain_key(event.workspace_id);
    audit_head::Entity::insert(audit_head::ActiveModel {
        chain_key: Set(key.clone()),
        seq: Set(0),
        hash: Set(GENESIS.into()),
    })
    .on_conflict(
        OnConflict::column(audit_head::Column::ChainKey)
            .do_nothing()
            .to_owned(),
    )
    .try_insert()
    .exec_without_returning(tx)
    .await
    .map_err(db_err)?;
    let head = audit_head::Entity::find_by_id(key.clone())
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(db_err)?
        .ok_or_else(|| DomainError::Internal("audit chain head missing".into()))?;
    let mut entry = audit_entry::Model {
        id: uuid::Uuid::now_v7(),
        chain_key: key.clone(),
        seq: head.seq + 1,
        workspace_id: event.workspace_id.map(|w| w.0),
        client_id: event.client_id,
        actor_user_id: event.actor_user_id.map(|u| u.0),
        actor_label: event.actor_label,
        action: event.action.into(),
        record_type: event.record_type.into(),
        record_id: event.record_id,
        changes: event.changes,
        ip: event.meta.ip,
        user_agent: event.meta.user_agent.map(|u| u.chars().take(400).collect()),
        occurred_at: cairn_domain::time::now(),
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    entry.hash = entry_hash(&head.hash, &entry);
    audit_head::Entity::update(audit_head::ActiveModel {
        chain_key: Set(key),
        seq: Set(entry.seq),
        hash: Set(entry.hash.clone()),
    })
    .exec(tx)
    .await
    .map_err(db_err)?;
    audit_entry::Entity::insert(audit_entry::ActiveModel::from(entry))
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The outcome of `cairn audit verify`.
#[derive(Debug)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: u64,
    /// The first broken link: chain, sequence number, and what is wrong.
    pub first_break: Option<(String, i64, String)>,
}

/// Recomputes every chain and reports the first entry whose hash or link does not match.
pub async fn verify(store: &Store) -> Result<VerifyReport> {
    let db = store.reader();
    let keys: Vec<String> = audit_head::Entity::find()
        .select_only()
        .column(audit_head::Column::ChainKey)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_err)?;
    let mut report = VerifyReport {
        chains: keys.len(),
        entries: 0,
        first_break: None,
    };
    for key in keys {
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut last_seq = 0;
        loop {
            let batch = audit_entry::Entity::find()
                .filter(audit_entry::Column::ChainKey.eq(key.clone()))
                .filter(audit_entry::Column::Seq.gt(last_seq))
                .order_by_asc(audit_entry::Column::Seq)
                .limit(1000)
                .all(db)
                .await
                .map_err(db_err)?;
            if batch.is_empty() {
                break;
            }
            for e in batch {
                report.entries += 1;
                last_seq = e.seq;
                let problem = if e.seq != expected_seq {
                    Some(format!(
                        "expected sequence {expected_seq}, found {} (an entry was removed)",
                        e.seq
                    ))
                } else if e.prev_hash != prev {
                    Some("prev_hash does not match the previous entry".to_string())
                } else if entry_hash(&prev, &e) != e.hash {
                    Some("entry content does not match its hash (edited after writing)".to_string())
                } else {
                    None
                };
                if let Some(p) = problem {
                    report.first_break = Some((key, e.seq, p));
                    return Ok(report);
                }
                prev = e.hash;
                expected_seq += 1;
            }
        }
        let head = audit_head::Entity::find_by_id(key.clone())
            .one(db)
            .await
            .map_err(db_err)?;
        if let Some(h) = head
            && (h.seq != expected_seq - 1 || h.hash != prev)
        {
            report.first_break = Some((
                key,
                expected_seq,
                "entries after this point were removed".into(),
            ));
            return Ok(report);
        }
    }
    Ok(report)
}
