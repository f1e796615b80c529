//! The HTTP side: routes, limits, TLS, graceful shutdown. HTTP/1.1 and HTTP/2 (ALPN over TLS);
//! every refusal is a status and a fixed code; logs and metrics carry ids and codes only, never
//! a request body.

use crate::checkin;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::pool::{LedgerPool, PoolConnector};
use anyhow::{Context, Result};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use televisit_protocol::relay::{
    RelayError, RequestSignature, CHECKIN_PATH, DEVICE_HEADER, HEALTH_PATH, MAX_BODY_BYTES, METRICS_PATH, NONCE_HEADER,
    SIGNATURE_HEADER, TIME_HEADER,
};

pub struct App {
    pool: LedgerPool,
    exports: PathBuf,
    limiter: DefaultKeyedRateLimiter<String>,
    pub metrics: Metrics,
}

impl App {
    pub fn new(config: &Config) -> Result<App> {
        let pool = crate::pool::build(PoolConnector::new(config)?, config.limits.connections)?;
        std::fs::create_dir_all(&config.exports)
            .with_context(|| format!("cannot create the export folder {}", config.exports.display()))?;
        let per_minute = NonZeroU32::new(config.limits.per_device_per_minute).context("a rate of at least 1")?;
        let burst = NonZeroU32::new(config.limits.burst).context("a burst of at least 1")?;
        Ok(App {
            pool,
            exports: config.exports.clone(),
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            metrics: Metrics::new(),
        })
    }
}

pub fn router(app: Arc<App>, config: &Config) -> Router {
    Router::new()
        .route(CHECKIN_PATH, post(checkin_route).fallback(method_not_allowed))
        .route(HEALTH_PATH, get(health).fallback(method_not_allowed))
        .route(METRICS_PATH, get(metrics).fallback(method_not_allowed))
        .fallback(not_found)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.limits.request_seconds),
        ))
        .with_state(app)
}

fn refusal(error: RelayError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, error.body()).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    if error == RelayError::Unavailable || error == RelayError::RateLimited {
        response.headers_mut().insert("retry-after", HeaderValue::from_static("60"));
    }
    response
}

async fn not_found() -> Response {
    refusal(RelayError::NotFound)
}

async fn method_not_allowed() -> Response {
    refusal(RelayError::MethodNotAllowed)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn checkin_route(State(app): State<Arc<App>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let signature = RequestSignature::from_headers(
        header(&parts.headers, DEVICE_HEADER),
        header(&parts.headers, TIME_HEADER),
        header(&parts.headers, NONCE_HEADER),
        header(&parts.headers, SIGNATURE_HEADER),
    );
    let outcome = match signature {
        Err(err) => Err(err),
        Ok(signature) => match read_body(body).await {
            Err(err) => Err(err),
            Ok(bytes) => {
                let app = app.clone();
                let device = signature.device_id.clone();
                let run = tokio::task::spawn_blocking(move || {
                    let now = chrono::Utc::now().timestamp();
                    let allow = |device: &str| app.limiter.check_key(&device.to_owned()).is_ok();
                    let mut ledger = app.pool.get().map_err(|_| RelayError::Unavailable)?;
                    let first = checkin::check_in(&mut ledger, &app.exports, &signature, &bytes, now, &allow);
                    // A pooled connection PostgreSQL closed while it was idle (a restart): it is
                    // dropped, and the check-in runs once more on a new one. Nothing was written
                    // on the closed one.
                    if first == Err(RelayError::Unavailable) && ledger.connection_closed() {
                        drop(ledger);
                        let mut fresh = app.pool.get().map_err(|_| RelayError::Unavailable)?;
                        return checkin::check_in(&mut fresh, &app.exports, &signature, &bytes, now, &allow);
                    }
                    first
                })
                .await;
                let outcome = run.unwrap_or(Err(RelayError::Internal));
                log_outcome(&device, &outcome, started);
                outcome
            }
        },
    };
    app.metrics.latency.observe(started.elapsed().as_secs_f64());
    match outcome {
        Ok(answer) => {
            app.metrics.checkins.inc();
            let mut response = axum::Json(answer).into_response();
            response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => {
            app.metrics.refused(err.code());
            refusal(err)
        }
    }
}

fn log_outcome(device: &str, outcome: &Result<televisit_protocol::relay::CheckInAnswer, RelayError>, started: Instant) {
    let ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(answer) => tracing::info!(
            device,
            ms,
            reports = answer.recorded.reports,
            receipts = answer.recorded.receipts,
            exports = answer.recorded.exports,
            wipe = answer.wipe.is_some(),
            "check-in"
        ),
        Err(err) => tracing::info!(device, ms, refused = err.code(), "check-in refused"),
    }
}

/// The body, up to `MAX_BODY_BYTES`: a larger one is refused before it is read through.
async fn read_body(body: Body) -> Result<Bytes, RelayError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| RelayError::TooLarge)
}

async fn health(State(app): State<Arc<App>>) -> Response {
    let app = app.clone();
    let ok = tokio::task::spawn_blocking(move || app.pool.get().ok().is_some_and(|mut l| l.ping().is_ok()))
        .await
        .unwrap_or(false);
    if ok {
        (StatusCode::OK, [("content-type", "application/json")], "{\"status\":\"ok\"}").into_response()
    } else {
        refusal(RelayError::Unavailable)
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (StatusCode::OK, [("content-type", "text/plain; version=0.0.4")], app.metrics.text()).into_response()
}

/// Serves until SIGTERM or SIGINT, then finishes the requests in flight (for at most the
/// configured seconds). `on_listening` gets the address once bound (port 0 picks one).
pub async fn serve(config: Config, on_listening: impl FnOnce(std::net::SocketAddr) + Send + 'static) -> Result<()> {
    serve_until(config, on_listening, wait_for_signal()).await
}

/// `serve`, stopping gracefully when `stop` completes instead of at a signal (the benchmark
/// runs a relay inside its own process).
pub async fn serve_until(
    config: Config,
    on_listening: impl FnOnce(std::net::SocketAddr) + Send + 'static,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let app = Arc::new(App::new(&config)?);
    let router = router(app.clone(), &config);
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    let grace = Duration::from_secs(config.limits.shutdown_seconds);
    tokio::spawn(async move {
        stop.await;
        tracing::info!("shutting down: finishing requests in flight");
        shutdown.graceful_shutdown(Some(grace));
    });
    let listening = handle.clone();
    tokio::spawn(async move {
        if let Some(address) = listening.listening().await {
            on_listening(address);
        }
    });
    // Prunes nonces now and then: they are needed only within the freshness window.
    let pruner = app.clone();
    let pruning = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(300));
        loop {
            every.tick().await;
            let app = pruner.clone();
            let _ = tokio::task::spawn_blocking(move || {
                if let Ok(mut ledger) = app.pool.get() {
                    let _ = ledger.prune_nonces(chrono::Utc::now().timestamp());
                }
            })
            .await;
        }
    });
    let service = router.into_make_service();
    let header_timeout = Duration::from_secs(config.limits.header_seconds);
    match &config.tls {
        Some(tls) => {
            // ring, as the rest of Televisit signs and verifies with (no second crypto library).
            #[allow(deprecated)]
            let _ = rustls::crypto::ring::default_provider().install_default();
            let rustls =
                axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key).await.with_context(|| {
                    format!("cannot read the certificate {} or its key {}", tls.cert.display(), tls.key.display())
                })?;
            // TCP_NODELAY: an answer goes out whole at once, not held for the client's delayed
            // ACK (40 ms a check-in, otherwise). A TLS handshake gets the header time too.
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(rustls)
                .handshake_timeout(header_timeout)
                .acceptor(axum_server::accept::NoDelayAcceptor::new());
            let mut server = axum_server::bind(config.listen).acceptor(acceptor).handle(handle);
            limit_headers(server.http_builder(), header_timeout);
            server.serve(service).await.context("the relay stopped")?;
        }
        None => {
            let mut server =
                axum_server::bind(config.listen).acceptor(axum_server::accept::NoDelayAcceptor::new()).handle(handle);
            limit_headers(server.http_builder(), header_timeout);
            server.serve(service).await.context("the relay stopped")?;
        }
    }
    // The ledger connections close on a blocking thread: the PostgreSQL client's own runtime
    // may not run inside this one's workers.
    pruning.abort();
    let _ = pruning.await;
    let _ = tokio::task::spawn_blocking(move || drop(app)).await;
    Ok(())
}

/// A client that does not finish its headers in time is cut off (slowloris).
fn limit_headers(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    timeout: Duration,
) {
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(timeout);
    builder.http2().timer(hyper_util::rt::TokioTimer::new()).keep_alive_timeout(timeout);
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
