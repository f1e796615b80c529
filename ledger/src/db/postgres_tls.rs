//! TLS to a PostgreSQL server, for a ledger on another machine than the relay or the admin.
//! rust-postgres takes `sslmode` (`disable`, `prefer`: the default, `require`) from the
//! connection string but not libpq's `sslrootcert`, so that one is taken out here and its CA
//! added to the system's roots. The server's certificate is always verified when TLS is used (a
//! ledger connection that anyone on the path could read or redirect is what TLS is there to
//! prevent); `sslmode=disable` is for a server on the same machine.

use super::OpenError;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A connection string without `sslrootcert`, and the CA file it named.
pub(super) fn split_root_cert(url: &str) -> (String, Option<String>) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Ok(mut parsed) = url::Url::parse(url) else { return (url.to_owned(), None) };
        let mut root = None;
        let kept: Vec<(String, String)> = parsed
            .query_pairs()
            .filter_map(|(k, v)| {
                if k == "sslrootcert" {
                    root = Some(v.into_owned());
                    None
                } else {
                    Some((k.into_owned(), v.into_owned()))
                }
            })
            .collect();
        if root.is_none() {
            return (url.to_owned(), None);
        }
        parsed.set_query(None);
        if !kept.is_empty() {
            parsed.query_pairs_mut().extend_pairs(kept);
        }
        return (parsed.to_string(), root);
    }
    // The key=value form: `host=db sslmode=require sslrootcert=/etc/ca.pem`.
    let mut root = None;
    let kept: Vec<&str> = url
        .split_whitespace()
        .filter(|part| match part.strip_prefix("sslrootcert=") {
            Some(file) => {
                root = Some(file.trim_matches('\'').to_owned());
                false
            }
            None => true,
        })
        .collect();
    (kept.join(" "), root)
}

/// The connector: the system's roots, and the CA in `root_cert` (PEM) when one is named.
pub(super) fn connector(root_cert: Option<&str>) -> Result<MakeRustlsConnect, OpenError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system root rustls cannot parse is one it could not use either.
        let _ = roots.add(cert);
    }
    if let Some(file) = root_cert {
        use rustls_pki_types::pem::PemObject;
        let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_file_iter(file)
            .map_err(|_| {
                OpenError::Postgres(format!("sslrootcert: cannot read {file} (a PEM file of CA certificates)"))
            })?
            .collect::<Result<_, _>>()
            .map_err(|_| OpenError::Postgres(format!("sslrootcert: {file} is not a PEM file of certificates")))?;
        if certs.is_empty() {
            return Err(OpenError::Postgres(format!("sslrootcert: {file} holds no certificate")));
        }
        for cert in certs {
            roots.add(cert).map_err(|_| {
                OpenError::Postgres(format!("sslrootcert: {file} holds a certificate rustls cannot use"))
            })?;
        }
    }
    // ring, as the rest of Televisit signs and verifies with (no second crypto library).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| OpenError::Postgres(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Whether a failed connection failed on the server's certificate (not on the network): a
/// setting to fix, not a server to wait for.
pub(super) fn is_certificate_error(err: &postgres::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
                return true;
            }
        }
        if cause.is::<rustls::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_either_form() {
        let (url, root) =
            split_root_cert("postgres://relay@db.example/televisit?sslmode=require&sslrootcert=/etc/ca.pem");
        assert_eq!(
            (url.as_str(), root.as_deref()),
            ("postgres://relay@db.example/televisit?sslmode=require", Some("/etc/ca.pem"))
        );
        let (url, root) = split_root_cert("postgresql://relay@db.example/televisit?sslrootcert=%2Fetc%2Fca.pem");
        assert_eq!((url.as_str(), root.as_deref()), ("postgresql://relay@db.example/televisit", Some("/etc/ca.pem")));
        let (url, root) = split_root_cert("host=db.example sslmode=require sslrootcert='/etc/ca.pem' dbname=tv");
        assert_eq!((url.as_str(), root.as_deref()), ("host=db.example sslmode=require dbname=tv", Some("/etc/ca.pem")));
        let plain = "postgres://relay@db.example/televisit?sslmode=disable";
        assert_eq!(split_root_cert(plain), (plain.to_owned(), None));
    }
}
