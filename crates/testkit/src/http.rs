//! A real server on a loopback port, and a small client for it.

use std::sync::Arc;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use runyard_api::{AppState, AuthConfig, Background, HttpOptions, QueueConfig};
use runyard_persistence::Database;
use serde_json::Value;
use tokio::sync::oneshot;

use crate::TestDb;

/// The HS256 secret test servers verify user tokens with.
pub const TEST_SECRET: &[u8] = b"runyard-test-secret-runyard-test-secret";

/// The API served over its own database, on `127.0.0.1:<free port>`.
pub struct TestServer {
    pub base_url: String,
    pub db: TestDb,
    pub auth: AuthConfig,
    shutdown: Option<oneshot::Sender<()>>,
    _background: Background,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(QueueConfig::default()).await
    }

    /// A server with its own queue timing (e.g. short leases for expiry tests).
    pub async fn start_with(queue: QueueConfig) -> Self {
        Self::start_with_options(queue, HttpOptions::default()).await
    }

    /// A server with its own queue timing and HTTP settings (CORS, metrics token).
    pub async fn start_with_options(queue: QueueConfig, http: HttpOptions) -> Self {
        let db = TestDb::new().await;
        let auth = AuthConfig::hs256(TEST_SECRET).expect("test secret");
        let pool = Database::connect(&db.app_url, 8)
            .await
            .expect("connect the server's pool");
        let state = Arc::new(AppState::new(
            pool,
            auth.clone(),
            runyard_migration::latest_version(),
            queue,
        ));
        let background = state.start_background();
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind a loopback port");
        let addr = acceptor
            .local_addr()
            .into_iter()
            .find_map(|a| a.as_socket_addr().copied())
            .expect("a socket address");
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(
            poem::Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
                runyard_api::app_with(state, http),
                async {
                    let _ = rx.await;
                },
                Some(Duration::from_secs(2)),
            ),
        );
        Self {
            base_url: format!("http://{addr}"),
            db,
            auth,
            shutdown: Some(tx),
            _background: background,
        }
    }

    /// A user token for `sub`, valid for an hour.
    pub fn token(&self, sub: &str) -> String {
        self.auth.mint(sub, 3600).expect("mint a token")
    }

    /// A client acting as user `sub`.
    pub fn client(&self, sub: &str) -> Client {
        Client::new(&self.base_url, Some(self.token(sub)))
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base_url, None)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// What the server answered.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// Asserts the status, printing the body when it differs. Returns the body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        &self.body
    }

    /// Asserts an RFC 9457 problem with this status and code.
    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert!(
            self.content_type.starts_with("application/problem+json"),
            "expected problem+json, got {:?}: {}",
            self.content_type,
            self.text
        );
        assert_eq!(self.body["status"], status, "{}", self.text);
        assert_eq!(self.body["code"], code, "{}", self.text);
        assert!(
            self.body["title"].is_string() && self.body["detail"].is_string(),
            "{}",
            self.text
        );
        &self.body
    }
}

/// A small HTTP client with an optional bearer token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

impl Client {
    pub fn new(base_url: &str, token: Option<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: base_url.to_owned(),
            token,
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base_url, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        req
    }

    pub async fn send(req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = resp.text().await.expect("a readable body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            content_type,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Self::send(self.request(reqwest::Method::POST, path).json(&body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        Self::send(self.request(reqwest::Method::POST, path)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Self::send(self.request(reqwest::Method::DELETE, path)).await
    }

    /// Creates a workspace and returns its id.
    pub async fn create_workspace(&self, slug: &str) -> String {
        let reply = self
            .post(
                "/v1/workspaces",
                serde_json::json!({"name": slug, "slug": slug}),
            )
            .await;
        reply.expect(201)["id"].as_str().expect("an id").to_owned()
    }

    /// Adds `subject` to workspace `ws` with `role`.
    pub async fn add_member(&self, ws: &str, subject: &str, role: &str) {
        self.post(
            &format!("/v1/workspaces/{ws}/members"),
            serde_json::json!({"subject": subject, "role": role}),
        )
        .await
        .expect(201);
    }

    /// Registers a runner in `ws` and returns (its id, its token).
    pub async fn register_runner(&self, ws: &str, name: &str, labels: &[&str]) -> (String, String) {
        let reply = self
            .post(
                &format!("/v1/workspaces/{ws}/runners"),
                serde_json::json!({"name": name, "labels": labels}),
            )
            .await;
        let body = reply.expect(201);
        (
            body["runner"]["id"].as_str().expect("an id").to_owned(),
            body["token"].as_str().expect("a token").to_owned(),
        )
    }

    /// Creates a job in `ws` and returns it.
    pub async fn create_job(&self, ws: &str, body: Value) -> Value {
        self.post(&format!("/v1/workspaces/{ws}/runner-jobs"), body)
            .await
            .expect(201)
            .clone()
    }
}
