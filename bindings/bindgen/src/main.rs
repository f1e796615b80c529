//! UniFFI's bindings generator, built from the same uniffi version as the library, so that the
//! generated Kotlin, Swift and Python always match the scaffolding they call.
fn main() {
    uniffi::uniffi_bindgen_main()
}
