//! A real server on a loopback port, and a client for it that hands back every answer.

use std::sync::Arc;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use runyard_api::{AppState, AuthConfig, Background, HttpOptions, QueueConfig, Tracer};
use runyard_client::reqwest::{self, Method};
use runyard_client::{AddMember, CreateWorkspace, RegisterRunner, Role};
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
        Self::start_traced(queue, http, Arc::default()).await
    }

    /// A server that exports its spans through `tracer`.
    pub async fn start_traced(queue: QueueConfig, http: HttpOptions, tracer: Arc<Tracer>) -> Self {
        let db = TestDb::new().await;
        let auth = AuthConfig::hs256(TEST_SECRET).expect("test secret");
        let pool = Database::connect(&db.app_url, 8)
            .await
            .expect("connect the server's pool");
        let state = Arc::new(
            AppState::new(
                pool,
                auth.clone(),
                runyard_migration::latest_version(),
                queue,
            )
            .with_built_migrations(crate::built_migrations())
            .with_tracer(tracer),
        );
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

/// The API client ([`runyard_client::Client`]) in the shape tests want: any path, any
/// body, and every answer as a [`Reply`] to assert on, errors included.
#[derive(Clone)]
pub struct Client {
    api: runyard_client::Client,
}

impl Client {
    pub fn new(base_url: &str, token: Option<String>) -> Self {
        let mut builder = runyard_client::Client::builder(base_url);
        if let Some(token) = &token {
            builder = builder.token(token);
        }
        Self {
            api: builder.build().expect("a loopback URL and a usable token"),
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self {
            api: self.api.with_token(token).expect("a usable token"),
        }
    }

    /// The typed client underneath, for calls whose answers a test reads as wire types.
    pub fn api(&self) -> &runyard_client::Client {
        &self.api
    }

    /// A request to `path` (`/v1/...`, query included), with this client's token.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.api.request_path(method, path)
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
        Self::send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Self::send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        Self::send(self.request(Method::POST, path)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Self::send(self.request(Method::DELETE, path)).await
    }

    /// Creates a workspace and returns its id.
    pub async fn create_workspace(&self, slug: &str) -> String {
        let body = CreateWorkspace {
            name: slug.to_owned(),
            slug: slug.to_owned(),
        };
        self.api
            .create_workspace(&body)
            .await
            .unwrap_or_else(|e| panic!("creating workspace {slug}: {e}"))
            .id
    }

    /// Adds `subject` to workspace `ws` with `role`.
    pub async fn add_member(&self, ws: &str, subject: &str, role: &str) {
        let role: Role = serde_json::from_value(Value::from(role))
            .unwrap_or_else(|e| panic!("{role:?} is not a role: {e}"));
        let body = AddMember {
            subject: subject.to_owned(),
            role,
        };
        self.api
            .add_member(ws, &body)
            .await
            .unwrap_or_else(|e| panic!("adding {subject} to {ws}: {e}"));
    }

    /// Registers a runner in `ws` and returns (its id, its token).
    pub async fn register_runner(&self, ws: &str, name: &str, labels: &[&str]) -> (String, String) {
        let body = RegisterRunner {
            name: name.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        };
        let registered = self
            .api
            .register_runner(ws, &body)
            .await
            .unwrap_or_else(|e| panic!("registering runner {name} in {ws}: {e}"));
        (registered.runner.id, registered.token)
    }

    /// Creates a job in `ws` and returns it, as the server wrote it.
    pub async fn create_job(&self, ws: &str, body: Value) -> Value {
        self.post(&format!("/v1/workspaces/{ws}/runner-jobs"), body)
            .await
            .expect(201)
            .clone()
    }
}
