//! Types that several capabilities share and none owns: imported by each, importing none of them.

/// The phone's platform: where a checklist item's path, a launch's intent and a store's header
/// mode differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    Ios,
}
