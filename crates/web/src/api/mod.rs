//! The JSON API under /api/v1. One file per resource; `crate::openapi` lists them all.

pub mod accounts;
pub mod audit;
pub mod batches;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod counties;
pub mod departments;
pub mod health;
pub mod imports;
pub mod items;
pub mod offices;
pub mod services;
pub mod towns;

use axum::Json;

use crate::error::ApiError;

pub type ApiResult<T> = Result<Json<T>, ApiError>;
