//! What every endpoint shares: the database, the token verifier, the expected schema.

use runyard_domain::{Actor, Role};
use runyard_persistence::{Database, WorkspaceRef, WorkspaceTx};

use crate::{ApiError, AuthConfig};

pub struct AppState {
    pub db: Database,
    pub auth: AuthConfig,
    /// The newest migration this server was built with; `/readyz` compares against it.
    pub expected_schema_version: String,
}

/// An authenticated user.
pub(crate) struct Caller {
    pub subject: String,
    pub actor: Actor,
}

impl AppState {
    pub fn new(db: Database, auth: AuthConfig, expected_schema_version: impl Into<String>) -> Self {
        Self {
            db,
            auth,
            expected_schema_version: expected_schema_version.into(),
        }
    }

    /// A state with no database, only good for rendering the spec.
    pub(crate) fn for_spec() -> Self {
        let auth = AuthConfig::hs256(&[0u8; 32]).expect("a 32-byte secret is long enough");
        Self::new(Database::disconnected(), auth, "")
    }

    pub(crate) fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        let claims = self.auth.verify(token).map_err(ApiError::unauthorized)?;
        Ok(Caller {
            actor: Actor::User(claims.sub.clone()),
            subject: claims.sub,
        })
    }

    /// Enters workspace `ws` (id or slug) for `caller`, who must hold at least `required`.
    /// Not a member, or no such workspace: 404, indistinguishably.
    pub(crate) async fn enter(
        &self,
        caller: &Caller,
        ws: &str,
        required: Role,
    ) -> Result<WorkspaceTx, ApiError> {
        let tx = self
            .db
            .enter(&caller.subject, &caller.actor, &WorkspaceRef::parse(ws))
            .await
            .map_err(|e| ApiError::from_store(e, "workspace"))?
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        if !tx.role().allows(required) {
            return Err(ApiError::forbidden(format!(
                "this needs the {required} role in the workspace; you are {}",
                tx.role()
            )));
        }
        Ok(tx)
    }
}
