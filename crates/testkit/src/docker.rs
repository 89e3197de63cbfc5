//! The test PostgreSQL from a Docker engine (`RUNYARD_TEST_DB=docker[:IMAGE]`), for
//! machines that have an engine but no PostgreSQL binaries. Compiled only with the
//! `docker` feature; without it, asking for Docker fails with the command that enables it.

/// What `RUNYARD_TEST_DB` asks for: `Some(image)` for `docker` / `docker:IMAGE`.
pub(crate) fn requested_image() -> Option<String> {
    let value = std::env::var("RUNYARD_TEST_DB").ok()?;
    parse(&value).unwrap_or_else(|e| panic!("{e}"))
}

/// `docker` → the default image, `docker:IMAGE` → that image, empty → none.
fn parse(value: &str) -> Result<Option<String>, String> {
    match value.split_once(':') {
        _ if value.is_empty() => Ok(None),
        None if value == "docker" => Ok(Some(DEFAULT_IMAGE.to_owned())),
        Some(("docker", image)) if !image.is_empty() => Ok(Some(image.to_owned())),
        _ => Err(format!(
            "RUNYARD_TEST_DB={value:?}: expected `docker` or `docker:IMAGE` (e.g. docker:postgres:16)"
        )),
    }
}

/// The PostgreSQL release the embedded cluster and CI use.
const DEFAULT_IMAGE: &str = "postgres:15";

#[cfg(feature = "docker")]
mod engine {
    use std::sync::OnceLock;

    use testcontainers::core::{IntoContainerPort, WaitFor};
    use testcontainers::runners::SyncRunner;
    use testcontainers::{Container, GenericImage, ImageExt};

    const PASSWORD: &str = "runyard_test_superuser";

    /// Kept for the life of the test process; the engine removes the container when the
    /// process's handle is dropped or, if it is not, `docker rm -f` on the label below.
    static CONTAINER: OnceLock<Container<GenericImage>> = OnceLock::new();

    /// Starts (once per process) a PostgreSQL container and returns its superuser URL.
    pub(crate) fn superuser_url(image: &str) -> String {
        let container = CONTAINER.get_or_init(|| {
            let (name, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
            GenericImage::new(name, tag)
                .with_exposed_port(5432.tcp())
                .with_wait_for(WaitFor::message_on_stderr(
                    "database system is ready to accept connections",
                ))
                .with_env_var("POSTGRES_PASSWORD", PASSWORD)
                .with_label("org.runyard.test", "postgres")
                .start()
                .unwrap_or_else(|e| panic!("cannot start a {image} container for the tests: {e}"))
        });
        let host = container
            .get_host()
            .unwrap_or_else(|e| panic!("the test container has no host: {e}"));
        let port = container
            .get_host_port_ipv4(5432.tcp())
            .unwrap_or_else(|e| panic!("the test container exposes no port 5432: {e}"));
        format!("postgres://postgres:{PASSWORD}@{host}:{port}/postgres")
    }
}

/// The superuser URL of a PostgreSQL in a container from `image`.
#[cfg(feature = "docker")]
pub(crate) fn superuser_url(image: &str) -> String {
    engine::superuser_url(image)
}

/// Without the `docker` feature there is no engine client to ask.
#[cfg(not(feature = "docker"))]
pub(crate) fn superuser_url(image: &str) -> String {
    panic!(
        "RUNYARD_TEST_DB asks for a {image} container, but the test kit was built without \
         Docker support: run `cargo test --workspace --features runyard-testkit/docker`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runyard_test_db_names_docker_and_an_optional_image() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("docker"), Ok(Some("postgres:15".into())));
        assert_eq!(
            parse("docker:postgres:16-alpine"),
            Ok(Some("postgres:16-alpine".into()))
        );
        assert!(parse("docker:").is_err());
        assert!(parse("podman").is_err());
    }
}
