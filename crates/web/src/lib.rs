//! HTTP for tongquan: the JSON API under /api/v1 with its OpenAPI document, and server-rendered
//! pages in Simplified Chinese and English. Everything served ships inside the binary.

mod api;
mod assets;
pub mod error;
pub mod export;
mod extract;
pub mod i18n;
pub mod map;
pub mod openapi;
mod pages;
mod params;
pub mod planning;
mod router;
pub mod serve;
mod session;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tongquan_store::Store;

pub use router::router;
pub use serve::serve;

/// Largest request body accepted, for JSON and forms alike.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure`; set when the product is served over HTTPS.
    pub secure_cookies: bool,
}

/// Rendered map SVGs by (county, language): geography does not change while serving.
type MapCache = HashMap<(Option<String>, i18n::Lang), Arc<map::MapView>>;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    maps: Arc<Mutex<MapCache>>,
}

impl AppState {
    /// Today in Beijing, on the store's clock (pinned in tests and demos).
    pub fn today(&self) -> chrono::NaiveDate {
        self.store.clock().today()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.store.clock().now()
    }

    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
            maps: Arc::default(),
        }
    }
}
