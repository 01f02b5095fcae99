//! TOTP second factor: enrolment with a server-rendered QR code, verification, recovery codes.
//! The seed is sealed with the installation key; each code (and each recovery code) is
//! accepted once.

use cairn_domain::{DomainError, Result, UserId};
use cairn_store::entities::{recovery_code, user};
use cairn_store::sea_orm::sea_query::Expr;
use cairn_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use data_encoding::BASE32_NOPAD;
use serde_json::json;
use totp_rs::{Algorithm, Builder, Totp};

use crate::actor::Actor;
use crate::audit::{self, Event};
use crate::secrets::{hash_secret, random_bytes};
use crate::{Cairn, db_err, passwords};

/// Number of recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// What the enrolment page shows: scan the QR code or type the secret.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

fn build(secret: Vec<u8>, email: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some("Cairn"))
        .with_account_name(email.replace(':', ""))
        .build()
        .map_err(|e| DomainError::Internal(format!("totp: {e}")))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Normalises a recovery code as typed ("abcde-fghij", any case, spaces).
fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// Accepts a TOTP code (once per time step) or an unused recovery code for `user`.
pub(crate) async fn consume_code<C: ConnectionTrait>(
    app: &Cairn,
    tx: &C,
    user: &user::Model,
    code: &str,
) -> Result<()> {
    let invalid = || DomainError::invalid("code", "is not a valid authentication or recovery code");
    let sealed = user.totp_secret_enc.as_ref().ok_or_else(invalid)?;
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        let totp = build(app.cipher.open(sealed)?, &user.email)?;
        let now = unix_now();
        // Find which step matched so the same code cannot be replayed.
        let step = [-1i64, 0, 1].into_iter().find_map(|d| {
            let t = (now as i64 + d * 30).max(0) as u64;
            (totp.generate(t).to_string() == digits).then_some((t / 30) as i64)
        });
        let step = step.ok_or_else(invalid)?;
        if user.totp_last_step.is_some_and(|last| step <= last) {
            return Err(DomainError::invalid(
                "code",
                "has already been used; wait for the next code",
            ));
        }
        user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(user.id))
            .exec(tx)
            .await
            .map_err(db_err)?;
        return Ok(());
    }
    let hash = hash_secret(&normalise_recovery(code));
    let res = recovery_code::Entity::update_many()
        .col_expr(
            recovery_code::Column::UsedAt,
            Expr::value(cairn_domain::time::now()),
        )
        .filter(recovery_code::Column::UserId.eq(user.id))
        .filter(recovery_code::Column::CodeHash.eq(hash))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(tx)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 1 {
        Ok(())
    } else {
        Err(invalid())
    }
}

impl Cairn {
    /// Starts enrolment: a fresh seed is sealed on the user (not yet active) and returned
    /// for display with its QR code.
    pub async fn totp_begin(&self, actor: &Actor) -> Result<Enrolment> {
        actor.require_write()?;
        let user = self.user(actor.user_id).await?;
        if user.totp_enabled_at.is_some() {
            return Err(DomainError::Conflict(
                "two-factor authentication is already on; turn it off first".into(),
            ));
        }
        let seed = random_bytes::<20>().to_vec();
        let totp = build(seed.clone(), &user.email)?;
        let url = totp
            .to_url()
            .map_err(|e| DomainError::Internal(format!("totp url: {e}")))?;
        let qr = qrcode::QrCode::new(url.as_bytes())
            .map_err(|e| DomainError::Internal(format!("qr: {e}")))?;
        let svg = qr
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build();
        let tx = self.store.write().await.map_err(db_err)?;
        user::Entity::update_many()
            .col_expr(
                user::Column::TotpSecretEnc,
                Expr::value(self.cipher.seal(&seed)?),
            )
            .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
            .filter(user::Column::Id.eq(user.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(Enrolment {
            secret_base32: BASE32_NOPAD.encode(&seed),
            otpauth_url: url,
            qr_svg: svg,
        })
    }

    /// Finishes enrolment with a code from the app; returns the 10 single-use recovery codes
    /// (shown once).
    pub async fn totp_confirm(&self, actor: &Actor, code: &str) -> Result<Vec<String>> {
        actor.require_write()?;
        let user = self.user(actor.user_id).await?;
        if user.totp_enabled_at.is_some() {
            return Err(DomainError::Conflict(
                "two-factor authentication is already on".into(),
            ));
        }
        if user.totp_secret_enc.is_none() {
            return Err(DomainError::invalid("code", "start enrolment first"));
        }
        let tx = self.store.write().await.map_err(db_err)?;
        consume_code(self, &tx, &user, code).await?;
        let now = cairn_domain::time::now();
        user::Entity::update_many()
            .col_expr(user::Column::TotpEnabledAt, Expr::value(now))
            .filter(user::Column::Id.eq(user.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(user.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let mut codes = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let raw = BASE32_NOPAD.encode(&random_bytes::<7>()).to_lowercase();
            let code = format!("{}-{}", &raw[..5], &raw[5..10]);
            recovery_code::Entity::insert(recovery_code::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                user_id: Set(user.id),
                code_hash: Set(hash_secret(&normalise_recovery(&code))),
                used_at: Set(None),
                created_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
            codes.push(code);
        }
        audit::record(
            &tx,
            Event::by(actor, "user.totp_enabled", "user", actor.user_id),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(codes)
    }

    /// Turns the second factor off; needs the account password.
    pub async fn totp_disable(&self, actor: &Actor, password: &str) -> Result<()> {
        actor.require_write()?;
        let user = self.user(actor.user_id).await?;
        if !passwords::verify_blocking(password.to_string(), Some(user.password_hash.clone())).await
        {
            return Err(DomainError::invalid("password", "is incorrect"));
        }
        let tx = self.store.write().await.map_err(db_err)?;
        user::Entity::update_many()
            .col_expr(
                user::Column::TotpSecretEnc,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                user::Column::TotpEnabledAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(user::Column::Id.eq(user.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(user.id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        audit::record(
            &tx,
            Event::by(actor, "user.totp_disabled", "user", actor.user_id)
                .changes(json!({"totp": ["on", "off"]})),
        )
        .await?;
        tx.commit().await.map_err(db_err)
    }

    /// Unused recovery codes left for the actor.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<u64> {
        use cairn_store::sea_orm::PaginatorTrait;
        recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(user.0))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(self.store.reader())
            .await
            .map_err(db_err)
    }
}

/// The current code for a seed (tests and the CLI use it to act as an authenticator app).
pub fn current_code(secret_base32: &str, email: &str) -> Result<String> {
    let seed = BASE32_NOPAD
        .decode(secret_base32.as_bytes())
        .map_err(|_| DomainError::invalid("secret", "is not base32"))?;
    Ok(build(seed, email)?.generate(unix_now()).to_string())
}
