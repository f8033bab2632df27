//! The JSON API under /api/v1. One file per resource; `crate::openapi` lists them all.

pub mod accounts;
pub mod audit;
pub mod batches;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod counties;
pub mod departments;
pub mod draws;
pub mod figures;
pub mod hazards;
pub mod health;
pub mod imports;
pub mod inspection_objects;
pub mod inspections;
pub mod items;
pub mod leads;
pub mod officers;
pub mod offices;
pub mod open311;
pub mod penalties;
pub mod services;
pub mod towns;

use axum::Json;

use crate::error::ApiError;

pub type ApiResult<T> = Result<Json<T>, ApiError>;
