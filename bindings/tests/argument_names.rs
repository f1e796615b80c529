//! Every name the bindings give an argument becomes a parameter name in the generated C header
//! (`TelevisitFFI.h`), in Kotlin, and a label in Swift. A C keyword there stops clang, and with
//! it the iOS app's FFI module, package and app (UniFFI writes `RustBuffer signed` as it is).
//! This rule reads the exported functions, methods, constructors and foreign traits in
//! `bindings/src/` and rejects argument names that are keywords of C (through C23),
//! Objective-C or Swift. `cargo xtask test swift` also parses the generated header with clang.

use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// C through C23 (including the spellings C23 made keywords).
const C: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Bool",
    "_Complex",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "alignas",
    "alignof",
    "bool",
    "constexpr",
    "false",
    "nullptr",
    "static_assert",
    "thread_local",
    "true",
    "typeof",
    "typeof_unqual",
];
/// Objective-C's words beyond C's (its `@` keywords cannot be Rust names). `id` is not here:
/// it is a typedef, which a parameter may shadow, and the generated header, which names many
/// arguments `id`, parses as Objective-C (the header check in `cargo xtask test swift`).
const OBJECTIVE_C: &[&str] = &[
    "in",
    "out",
    "inout",
    "bycopy",
    "byref",
    "oneway",
    "self",
    "super",
    "nil",
    "Nil",
    "YES",
    "NO",
    "BOOL",
    "SEL",
    "IMP",
    "Class",
    "instancetype",
    "_cmd",
];
/// Swift's keywords (declarations, statements, expressions and types).
const SWIFT: &[&str] = &[
    "associatedtype",
    "class",
    "deinit",
    "enum",
    "extension",
    "fileprivate",
    "func",
    "import",
    "init",
    "inout",
    "internal",
    "let",
    "open",
    "operator",
    "private",
    "precedencegroup",
    "protocol",
    "public",
    "rethrows",
    "static",
    "struct",
    "subscript",
    "typealias",
    "var",
    "break",
    "case",
    "catch",
    "continue",
    "default",
    "defer",
    "do",
    "else",
    "fallthrough",
    "for",
    "guard",
    "if",
    "in",
    "repeat",
    "return",
    "throw",
    "switch",
    "where",
    "while",
    "Any",
    "as",
    "await",
    "false",
    "is",
    "nil",
    "self",
    "Self",
    "super",
    "throws",
    "true",
    "try",
    "_",
];

#[derive(Debug)]
struct Argument {
    file: PathBuf,
    function: String,
    name: String,
}

struct Exported {
    file: PathBuf,
    found: Vec<Argument>,
}

fn is_export(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "export"))
}

impl Exported {
    fn signature(&mut self, sig: &syn::Signature) {
        for input in &sig.inputs {
            let syn::FnArg::Typed(typed) = input else {
                continue;
            };
            if let syn::Pat::Ident(ident) = typed.pat.as_ref() {
                let name = ident.ident.to_string();
                self.found.push(Argument {
                    file: self.file.clone(),
                    function: sig.ident.to_string(),
                    name: name.strip_prefix("r#").unwrap_or(&name).to_owned(),
                });
            }
        }
    }
}

impl<'ast> Visit<'ast> for Exported {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if is_export(&item.attrs) {
            self.signature(&item.sig);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if !is_export(&item.attrs) {
            return;
        }
        for inner in &item.items {
            if let syn::ImplItem::Fn(method) = inner {
                // Only public methods are exported from an exported impl block.
                if matches!(method.vis, syn::Visibility::Public(_)) {
                    self.signature(&method.sig);
                }
            }
        }
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        if !is_export(&item.attrs) {
            return;
        }
        for inner in &item.items {
            if let syn::TraitItem::Fn(method) = inner {
                self.signature(&method.sig);
            }
        }
    }
}

fn exported_arguments(files: &[PathBuf]) -> Vec<Argument> {
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut exported = Exported { file: file.clone(), found: Vec::new() };
        exported.visit_file(&parsed);
        all.extend(exported.found);
    }
    all
}

fn keyword_of(name: &str) -> Option<&'static str> {
    [("C", C), ("Objective-C", OBJECTIVE_C), ("Swift", SWIFT)]
        .into_iter()
        .find(|(_, words)| words.contains(&name))
        .map(|(language, _)| language)
}

fn sources() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn no_exported_argument_is_named_after_a_keyword() {
    let arguments = exported_arguments(&sources());
    // The reader itself must see the bindings' surface, or this test proves nothing.
    assert!(arguments.len() > 50, "only {} exported arguments found", arguments.len());
    assert!(arguments.iter().any(|a| a.function == "apply_signed_policy"), "methods of exported impl blocks are read");
    assert!(arguments.iter().any(|a| a.function == "find_by_phone"), "foreign traits are read");
    let offending: Vec<String> = arguments
        .iter()
        .filter_map(|a| {
            keyword_of(&a.name).map(|language| {
                format!("{}: `{}` of `{}` is a {language} keyword", a.file.display(), a.name, a.function)
            })
        })
        .collect();
    assert!(offending.is_empty(), "rename these arguments:\n{}", offending.join("\n"));
}

#[test]
fn the_rule_catches_the_argument_that_stopped_clang() {
    let dir = std::env::temp_dir().join(format!("televisit-argument-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("probe.rs");
    std::fs::write(
        &file,
        "#[uniffi::export] impl Televisit { pub fn apply_signed_policy(&self, signed: String) {} fn private(&self, int: u8) {} }\n\
         #[uniffi::export(foreign)] pub trait Book { fn find(&self, r#in: String); }\n\
         #[uniffi::export] pub fn free(default: u8) {}\n\
         pub fn not_exported(char: u8) {}\n",
    )
    .unwrap();
    let found: Vec<(String, Option<&str>)> =
        exported_arguments(&[file]).into_iter().map(|a| (a.name.clone(), keyword_of(&a.name))).collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        found,
        [("signed".into(), Some("C")), ("in".into(), Some("Objective-C")), ("default".into(), Some("C"))],
        "exported public methods, foreign traits and free functions are read; private and unexported ones are not"
    );
}
