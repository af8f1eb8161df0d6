//! The cluster: Apache DataFusion Ballista's own scheduler and executor
//! processes, with Resolute's functions registered, and a client session
//! that runs the same SQL there.
//!
//! Version check: Resolute's extension codecs write the sender's fingerprint
//! (lists, history, regime, options; [`crate::Versions::fingerprint`]) into
//! every serialized call of a Resolute function. The scheduler decodes the
//! client's plan and refuses the job when the client's fingerprint differs
//! from its own; every executor decodes each task's plan and fails the task
//! (and so the job, before anything is written) when the scheduler's
//! fingerprint differs from its own. All other plan nodes go through
//! Ballista's default codecs.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista::prelude::SessionContextExt;
use ballista_core::extension::SessionConfigExt;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::{DataFusionError, Result as DfResult, TableReference};
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::execution::context::SessionContext;
use datafusion::execution::{FunctionRegistry, SessionState, SessionStateBuilder, TaskContext};
use datafusion::logical_expr::{Extension, LogicalPlan, ScalarUDF};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionConfig;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};

use crate::error::{BatchError, Result};
use crate::screening::Screening;
use crate::udf;

/// Decode side of the version check, shared by both codecs.
#[derive(Debug, Clone)]
struct FunctionCodec {
    screening: Arc<Screening>,
    functions: Vec<Arc<ScalarUDF>>,
}

const TAG: &str = "resolute:";

impl FunctionCodec {
    fn new(screening: Arc<Screening>) -> FunctionCodec {
        FunctionCodec {
            functions: udf::functions(&screening),
            screening,
        }
    }

    fn encode(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        if udf::is_resolute_function(node.name()) {
            buf.extend_from_slice(TAG.as_bytes());
            buf.extend_from_slice(self.screening.fingerprint().as_bytes());
        }
        Ok(())
    }

    /// `Some` for a Resolute function (checked), `None` for anything else.
    fn decode(&self, name: &str, buf: &[u8]) -> Option<DfResult<Arc<ScalarUDF>>> {
        let function = self.functions.iter().find(|f| f.name() == name)?;
        let local = self.screening.fingerprint();
        let remote = std::str::from_utf8(buf)
            .ok()
            .and_then(|s| s.strip_prefix(TAG))
            .unwrap_or("(none)");
        if remote != local {
            let e = BatchError::VersionMismatch {
                local: format!("fingerprint {local} ({})", versions_text(&self.screening)),
                remote: format!("fingerprint {remote}"),
            };
            return Some(Err(DataFusionError::Plan(e.to_string())));
        }
        Some(Ok(function.clone()))
    }
}

fn versions_text(s: &Screening) -> String {
    let v = s.versions();
    format!(
        "lists {}; regime {}; {}",
        v.lists.join(", "),
        v.regime,
        v.options
    )
}

/// Ballista's logical codec plus the version check.
#[derive(Debug)]
pub struct LogicalCodec {
    inner: BallistaLogicalExtensionCodec,
    functions: FunctionCodec,
}

impl LogicalCodec {
    pub fn new(screening: Arc<Screening>) -> LogicalCodec {
        LogicalCodec {
            inner: BallistaLogicalExtensionCodec::default(),
            functions: FunctionCodec::new(screening),
        }
    }
}

impl LogicalExtensionCodec for LogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> DfResult<Extension> {
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> DfResult<()> {
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn TableProvider>> {
        self.inner
            .try_decode_table_provider(buf, table_ref, schema, ctx)
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> DfResult<()> {
        self.inner.try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> DfResult<()> {
        self.inner.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<ScalarUDF>> {
        self.functions
            .decode(name, buf)
            .unwrap_or_else(|| self.inner.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.functions.encode(node, buf)
    }
}

/// Ballista's physical codec plus the version check.
#[derive(Debug)]
pub struct PhysicalCodec {
    inner: BallistaPhysicalExtensionCodec,
    functions: FunctionCodec,
}

impl PhysicalCodec {
    pub fn new(screening: Arc<Screening>) -> PhysicalCodec {
        PhysicalCodec {
            inner: BallistaPhysicalExtensionCodec::default(),
            functions: FunctionCodec::new(screening),
        }
    }
}

impl PhysicalExtensionCodec for PhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.inner.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<()> {
        self.inner.try_encode(node, buf, proto_converter)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> DfResult<Arc<ScalarUDF>> {
        self.functions
            .decode(name, buf)
            .unwrap_or_else(|| self.inner.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> DfResult<()> {
        self.functions.encode(node, buf)
    }
}

/// A session state with Resolute's functions (embedded use).
pub fn embedded_state(screening: &Arc<Screening>, config: SessionConfig) -> SessionState {
    let mut state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .build();
    // Registered one by one: the builder's `with_scalar_functions` would replace
    // DataFusion's own functions (coalesce, md5, …) rather than add to them.
    for f in udf::functions(screening) {
        // Registering a new name cannot fail; a replaced function is returned, not an error.
        let _ = state.register_udf(f);
    }
    state
}

/// An embedded session (no cluster) with Resolute's functions registered;
/// `partitions` is the parallelism (cores).
pub fn embedded_context(screening: &Arc<Screening>, partitions: usize) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions.max(1));
    SessionContext::new_with_state(embedded_state(screening, config))
}

/// How long a silent executor is still counted on, and how often executors
/// say they are alive. Ballista's defaults (180 s, 60 s) leave a job
/// waiting three minutes for an executor that died.
#[derive(Debug, Clone, Copy)]
pub struct Liveness {
    pub executor_timeout_seconds: u64,
    pub heartbeat_seconds: u64,
}

impl Default for Liveness {
    fn default() -> Self {
        Liveness {
            executor_timeout_seconds: 20,
            heartbeat_seconds: 5,
        }
    }
}

/// Run a scheduler on `bind` until the process ends.
pub async fn run_scheduler(
    bind: SocketAddr,
    external_host: Option<String>,
    screening: Arc<Screening>,
    liveness: Liveness,
) -> Result<()> {
    let address = bind.to_string();
    let cluster_err = |message: String| BatchError::Cluster {
        address: address.clone(),
        message,
    };
    let functions = udf::functions(&screening);
    let session_builder = Arc::new(move |config: SessionConfig| -> DfResult<SessionState> {
        let mut state = ballista_core::utils::default_session_builder(config)?;
        for f in &functions {
            state.register_udf(f.clone())?;
        }
        Ok(state)
    });
    let config = SchedulerConfig {
        bind_host: bind.ip().to_string(),
        bind_port: bind.port(),
        external_host: external_host.unwrap_or_else(|| bind.ip().to_string()),
        override_session_builder: Some(session_builder),
        override_logical_codec: Some(Arc::new(LogicalCodec::new(screening.clone()))),
        override_physical_codec: Some(Arc::new(PhysicalCodec::new(screening.clone()))),
        executor_timeout_seconds: liveness.executor_timeout_seconds,
        expire_dead_executor_interval_seconds: liveness.heartbeat_seconds.max(1),
        no_executors_grace_period_seconds: liveness.executor_timeout_seconds,
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| cluster_err(e.to_string()))?;
    start_server(cluster, bind, Arc::new(config))
        .await
        .map_err(|e| cluster_err(e.to_string()))
}

/// Where an executor listens and whom it serves.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    pub scheduler_host: String,
    pub scheduler_port: u16,
    pub bind_host: String,
    /// The host name other processes reach this executor by.
    pub external_host: Option<String>,
    /// Arrow Flight port (results and shuffle data).
    pub port: u16,
    /// gRPC port (tasks from the scheduler).
    pub grpc_port: u16,
    /// Tasks at once (cores); 0: all cores.
    pub concurrent_tasks: usize,
    pub work_dir: Option<String>,
    pub liveness: Liveness,
}

/// Run an executor until the process ends.
pub async fn run_executor(options: ExecutorOptions, screening: Arc<Screening>) -> Result<()> {
    let mut registry = BallistaFunctionRegistry::default();
    for f in udf::functions(&screening) {
        registry.scalar_functions.insert(f.name().to_string(), f);
    }
    let vcores = if options.concurrent_tasks == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        options.concurrent_tasks
    };
    let config = ExecutorProcessConfig {
        bind_host: options.bind_host.clone(),
        external_host: options.external_host.clone(),
        port: options.port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host.clone(),
        scheduler_port: options.scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores,
        work_dir: options.work_dir.clone(),
        executor_heartbeat_interval_seconds: options.liveness.heartbeat_seconds.max(1),
        override_function_registry: Some(Arc::new(registry)),
        override_logical_codec: Some(Arc::new(LogicalCodec::new(screening.clone()))),
        override_physical_codec: Some(Arc::new(PhysicalCodec::new(screening))),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| BatchError::Cluster {
            address: format!("{}:{}", options.scheduler_host, options.scheduler_port),
            message: e.to_string(),
        })
}

/// A client session on the scheduler at `url` (`df://host:port`), with
/// Resolute's functions and codecs; `ctx.sql(…)` then runs on the cluster.
/// `partitions`: how many tasks a scan is split into (default: this machine's cores).
pub async fn remote_context(
    url: &str,
    screening: &Arc<Screening>,
    partitions: Option<usize>,
) -> Result<SessionContext> {
    let mut config = SessionConfig::new_with_ballista();
    if let Some(p) = partitions {
        config = config.with_target_partitions(p.max(1));
    }
    let config = config
        .with_ballista_logical_extension_codec(Arc::new(LogicalCodec::new(screening.clone())))
        .with_ballista_physical_extension_codec(Arc::new(PhysicalCodec::new(screening.clone())));
    let state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .build();
    let ctx = SessionContext::remote_with_state(url, state)
        .await
        .map_err(|e| BatchError::Cluster {
            address: url.to_string(),
            message: e.to_string(),
        })?;
    for f in udf::functions(screening) {
        ctx.register_udf(f.as_ref().clone());
    }
    Ok(ctx)
}

/// The scheduler's address as `host:port` from `df://host:port`.
pub fn parse_cluster_url(url: &str) -> Result<(String, u16)> {
    let bad = |message: &str| BatchError::Cluster {
        address: url.to_string(),
        message: message.to_string(),
    };
    let rest = url
        .strip_prefix("df://")
        .ok_or_else(|| bad("expected df://host:port"))?;
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| bad("expected df://host:port"))?;
    let port = port
        .trim_end_matches('/')
        .parse::<u16>()
        .map_err(|_| bad("the port is not a number"))?;
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok((host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls() {
        assert_eq!(
            parse_cluster_url("df://10.1.2.3:50050").ok(),
            Some(("10.1.2.3".to_string(), 50050))
        );
        assert!(parse_cluster_url("http://h:1").is_err());
        assert!(parse_cluster_url("df://h:port").is_err());
    }
}
