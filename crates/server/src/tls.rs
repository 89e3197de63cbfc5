//! HTTPS for `runyard serve`: a certificate chain and key in PEM files
//! (`RUNYARD_TLS_CERT`, `RUNYARD_TLS_KEY`), rustls with the ring provider.
//!
//! Handshakes run in their own tasks, so a slow or silent client never holds up the
//! connections behind it; a handshake that has not finished in [`HANDSHAKE_TIMEOUT`] is
//! dropped.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// How long a client may take to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's TLS settings from a PEM certificate chain and a PEM private key.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let cert_pem = std::fs::read(cert)
        .with_context(|| format!("reading the TLS certificate {}", cert.display()))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing the TLS certificate {}", cert.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "{} holds no PEM certificate",
        cert.display()
    );
    let key_pem =
        std::fs::read(key).with_context(|| format!("reading the TLS key {}", key.display()))?;
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem)
        .with_context(|| format!("parsing the TLS key {}", key.display()))?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .context("the TLS certificate does not match its key")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

type Handshaken<Io> = (tokio_rustls::server::TlsStream<Io>, LocalAddr, RemoteAddr);

/// Wraps an acceptor of plain connections into one of TLS connections.
pub struct TlsAcceptor<A: Acceptor> {
    inner: A,
    tls: tokio_rustls::TlsAcceptor,
    done_tx: mpsc::Sender<Handshaken<A::Io>>,
    done_rx: mpsc::Receiver<Handshaken<A::Io>>,
}

impl<A: Acceptor> TlsAcceptor<A> {
    pub fn new(inner: A, config: Arc<ServerConfig>) -> Self {
        let (done_tx, done_rx) = mpsc::channel(64);
        Self {
            inner,
            tls: tokio_rustls::TlsAcceptor::from(config),
            done_tx,
            done_rx,
        }
    }
}

impl<A: Acceptor> Acceptor for TlsAcceptor<A> {
    type Io = tokio_rustls::server::TlsStream<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        loop {
            tokio::select! {
                accepted = self.inner.accept() => {
                    let (io, local, remote, _) = accepted?;
                    let tls = self.tls.clone();
                    let done = self.done_tx.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(io)).await {
                            Ok(Ok(stream)) => {
                                let _ = done.send((stream, local, remote)).await;
                            }
                            Ok(Err(e)) => tracing::debug!(%remote, error = %e, "TLS handshake failed"),
                            Err(_) => tracing::debug!(%remote, "TLS handshake timed out"),
                        }
                    });
                }
                Some((stream, local, remote)) = self.done_rx.recv() => {
                    return Ok((stream, local, remote, Scheme::HTTPS));
                }
            }
        }
    }
}
