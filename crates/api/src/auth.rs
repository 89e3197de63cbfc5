//! Bearer JWT verification for user tokens, and minting development tokens.
//!
//! User tokens are verified with the configured key: an HS256 secret, or an RS256 or
//! EdDSA public key (PEM). `sub` and `exp` are required; `iss` and `aud` are enforced
//! when configured. Tokens with any other algorithm — `none` included — are refused.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// How user tokens are verified.
#[derive(Clone)]
pub struct AuthConfig {
    key: VerifyKey,
    issuer: Option<String>,
    audience: Option<String>,
}

#[derive(Clone)]
enum VerifyKey {
    Secret(Vec<u8>),
    Public {
        algorithm: Algorithm,
        key: DecodingKey,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("the JWT secret must be at least 32 bytes long")]
    SecretTooShort,
    #[error("the public key is neither an RSA nor an Ed25519 PEM public key")]
    UnrecognisedPublicKey,
    #[error(
        "tokens can only be minted with an HS256 secret; this server verifies with a public key"
    )]
    CannotMint,
    #[error("could not sign the token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// The claims Runyard reads from a user token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// One audience or several (RFC 7519 allows both; many identity providers send a
    /// list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Not before: the token is refused until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
}

/// A token's `aud` claim: a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl AuthConfig {
    /// Verify HS256 tokens with `secret` (at least 32 bytes).
    pub fn hs256(secret: &[u8]) -> Result<Self, AuthConfigError> {
        if secret.len() < 32 {
            return Err(AuthConfigError::SecretTooShort);
        }
        Ok(Self {
            key: VerifyKey::Secret(secret.to_vec()),
            issuer: None,
            audience: None,
        })
    }

    /// Verify RS256 or EdDSA tokens with a PEM public key, whichever the key is.
    pub fn public_key_pem(pem: &[u8]) -> Result<Self, AuthConfigError> {
        let key = if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            VerifyKey::Public {
                algorithm: Algorithm::RS256,
                key,
            }
        } else if let Ok(key) = DecodingKey::from_ed_pem(pem) {
            VerifyKey::Public {
                algorithm: Algorithm::EdDSA,
                key,
            }
        } else {
            return Err(AuthConfigError::UnrecognisedPublicKey);
        };
        Ok(Self {
            key,
            issuer: None,
            audience: None,
        })
    }

    pub fn with_issuer(mut self, issuer: Option<String>) -> Self {
        self.issuer = issuer;
        self
    }

    pub fn with_audience(mut self, audience: Option<String>) -> Self {
        self.audience = audience;
        self
    }

    /// Verifies `token` and returns its claims, or why it was refused.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let (algorithm, key) = match &self.key {
            VerifyKey::Secret(secret) => (Algorithm::HS256, DecodingKey::from_secret(secret)),
            VerifyKey::Public { algorithm, key } => (*algorithm, key.clone()),
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["sub", "exp"]);
        match &self.issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                validation.required_spec_claims.insert("iss".into());
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                validation.required_spec_claims.insert("aud".into());
            }
            None => validation.validate_aud = false,
        }
        let data = decode::<Claims>(token, &key, &validation).map_err(|e| describe(&e))?;
        let sub = &data.claims.sub;
        if sub.is_empty() || sub.len() > 255 {
            return Err("the token's sub must be 1 to 255 characters".into());
        }
        if sub.chars().any(char::is_control) {
            return Err("the token's sub contains a control character (such as U+0000)".into());
        }
        Ok(data.claims)
    }

    /// Mints a token for `sub`, valid for `ttl_seconds` (HS256 configurations only).
    pub fn mint(&self, sub: &str, ttl_seconds: u64) -> Result<String, AuthConfigError> {
        let VerifyKey::Secret(secret) = &self.key else {
            return Err(AuthConfigError::CannotMint);
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let claims = Claims {
            sub: sub.to_owned(),
            exp: now + ttl_seconds,
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(Audience::One),
            nbf: None,
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )?)
    }
}

fn describe(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::ExpiredSignature => "the token has expired".into(),
        K::InvalidSignature => "the token's signature does not verify".into(),
        K::InvalidAlgorithm | K::InvalidAlgorithmName | K::UnsupportedAlgorithm => {
            "the token is signed with an algorithm this server does not accept".into()
        }
        K::InvalidIssuer => "the token's issuer (iss) is not accepted".into(),
        K::InvalidAudience => "the token's audience (aud) is not accepted".into(),
        K::MissingRequiredClaim(c) => format!("the token has no '{c}' claim"),
        K::ImmatureSignature => "the token is not valid yet".into(),
        K::Json(e) => format!("the token's claims are invalid: {e}"),
        _ => "the token is malformed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    }

    #[test]
    fn minted_tokens_verify() {
        let auth = AuthConfig::hs256(SECRET).unwrap();
        let token = auth.mint("alice", 60).unwrap();
        assert_eq!(auth.verify(&token).unwrap().sub, "alice");
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(AuthConfig::hs256(b"short").is_err());
    }

    #[test]
    fn wrong_key_expired_and_missing_claims_are_refused() {
        let auth = AuthConfig::hs256(SECRET).unwrap();
        let other = sign(
            &serde_json::json!({"sub": "a", "exp": now() + 60}),
            b"another-secret-another-secret-!!",
        );
        assert!(auth.verify(&other).unwrap_err().contains("signature"));
        let expired = sign(
            &serde_json::json!({"sub": "a", "exp": now() - 3600}),
            SECRET,
        );
        assert!(auth.verify(&expired).unwrap_err().contains("expired"));
        let no_sub = sign(&serde_json::json!({"exp": now() + 60}), SECRET);
        assert!(auth.verify(&no_sub).unwrap_err().contains("sub"));
        let no_exp = sign(&serde_json::json!({"sub": "a"}), SECRET);
        assert!(auth.verify(&no_exp).unwrap_err().contains("exp"));
    }

    #[test]
    fn alg_none_is_refused() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64.encode(format!(r#"{{"sub":"a","exp":{}}}"#, now() + 60));
        let auth = AuthConfig::hs256(SECRET).unwrap();
        assert!(auth.verify(&format!("{header}.{body}.")).is_err());
    }

    #[test]
    fn issuer_and_audience_are_enforced_when_configured() {
        let auth = AuthConfig::hs256(SECRET)
            .unwrap()
            .with_issuer(Some("runyard".into()))
            .with_audience(Some("api".into()));
        let good = sign(
            &serde_json::json!({"sub": "a", "exp": now() + 60, "iss": "runyard", "aud": "api"}),
            SECRET,
        );
        assert!(auth.verify(&good).is_ok());
        let bad_iss = sign(
            &serde_json::json!({"sub": "a", "exp": now() + 60, "iss": "x", "aud": "api"}),
            SECRET,
        );
        assert!(auth.verify(&bad_iss).unwrap_err().contains("iss"));
        let no_aud = sign(
            &serde_json::json!({"sub": "a", "exp": now() + 60, "iss": "runyard"}),
            SECRET,
        );
        assert!(auth.verify(&no_aud).is_err());
        // Without configuration, iss and aud are not checked.
        let plain = AuthConfig::hs256(SECRET).unwrap();
        assert!(plain.verify(&bad_iss).is_ok());
    }

    #[test]
    fn not_before_is_enforced() {
        let auth = AuthConfig::hs256(SECRET).unwrap();
        let later = sign(
            &serde_json::json!({"sub": "a", "exp": now() + 3600, "nbf": now() + 600}),
            SECRET,
        );
        assert!(auth.verify(&later).unwrap_err().contains("not valid yet"));
        let now_valid = sign(
            &serde_json::json!({"sub": "a", "exp": now() + 3600, "nbf": now() - 5}),
            SECRET,
        );
        assert!(auth.verify(&now_valid).is_ok());
    }

    #[test]
    fn an_audience_list_holding_ours_is_accepted() {
        let auth = AuthConfig::hs256(SECRET)
            .unwrap()
            .with_audience(Some("api".into()));
        let token = |aud: serde_json::Value| {
            sign(
                &serde_json::json!({"sub": "a", "exp": now() + 60, "aud": aud}),
                SECRET,
            )
        };
        let ours = auth
            .verify(&token(serde_json::json!(["other", "api"])))
            .unwrap();
        assert_eq!(
            ours.aud,
            Some(Audience::Many(vec!["other".into(), "api".into()]))
        );
        assert!(
            auth.verify(&token(serde_json::json!(["other", "elsewhere"])))
                .unwrap_err()
                .contains("aud")
        );
        assert!(auth.verify(&token(serde_json::json!([]))).is_err());
    }

    #[test]
    fn control_characters_in_sub_are_refused() {
        let auth = AuthConfig::hs256(SECRET).unwrap();
        let token = sign(
            &serde_json::json!({"sub": "a\u{0}b", "exp": now() + 60}),
            SECRET,
        );
        assert!(auth.verify(&token).unwrap_err().contains("sub"));
    }

    /// Keys made for these tests only (`openssl genpkey`), never used anywhere else.
    #[test]
    fn rs256_and_eddsa_tokens_verify_with_their_public_keys() {
        let claims = serde_json::json!({"sub": "alice", "exp": now() + 60});
        for (alg, private, public, other_public) in [
            (
                Algorithm::RS256,
                &include_bytes!("testdata/rsa.pem")[..],
                &include_bytes!("testdata/rsa.pub.pem")[..],
                &include_bytes!("testdata/ed25519.pub.pem")[..],
            ),
            (
                Algorithm::EdDSA,
                &include_bytes!("testdata/ed25519.pem")[..],
                &include_bytes!("testdata/ed25519.pub.pem")[..],
                &include_bytes!("testdata/rsa.pub.pem")[..],
            ),
        ] {
            let key = match alg {
                Algorithm::RS256 => EncodingKey::from_rsa_pem(private).unwrap(),
                _ => EncodingKey::from_ed_pem(private).unwrap(),
            };
            let token = encode(&Header::new(alg), &claims, &key).unwrap();
            let auth = AuthConfig::public_key_pem(public).unwrap();
            assert_eq!(auth.verify(&token).unwrap().sub, "alice", "{alg:?}");
            // The other kind of key does not verify it, and an HS256 token with the public
            // key bytes as its secret (the classic confusion attack) is refused.
            assert!(
                AuthConfig::public_key_pem(other_public)
                    .unwrap()
                    .verify(&token)
                    .is_err()
            );
            let confused = sign(&claims, public);
            assert!(
                auth.verify(&confused).is_err(),
                "{alg:?} accepted an HS256 token"
            );
            assert!(matches!(
                auth.mint("x", 60),
                Err(AuthConfigError::CannotMint)
            ));
        }
        assert!(AuthConfig::public_key_pem(b"not a key").is_err());
    }
}
