//! The app's manifest and resources, checked and packaged with Debian's `aapt` against Debian's
//! `android-framework-res` (API 29), as AGP would with aapt2 against the SDK's `android.jar`:
//!
//! - the merged manifest: the app's own `AndroidManifest.xml` with what Gradle adds to it (the
//!   package from `namespace`, `uses-sdk` and the version from `app/build.gradle.kts`);
//! - `aapt package` validates the manifest and every file under `res/` (a misspelt attribute, a
//!   missing string, a bad reference fail the run), writes `R.java`, and the resource APK that
//!   Robolectric loads the app from (its receivers, services, authenticator and strings).
//!
//! Attributes newer than API 29 are unknown to that framework: only those listed in
//! [`NEWER_THAN_29`] are taken out, of a copy for this check only, and the run says which. Any
//! other unknown attribute is an error, so a typo is never stripped away.

use super::run_captured;
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const AAPT: &str = "/usr/bin/aapt";
const FRAMEWORK_RES: &str = "/usr/share/android-framework-res/framework-res.apk";

/// Manifest attributes of the app that API 29's framework does not know, with the API level
/// that added each.
const NEWER_THAN_29: &[(&str, u32)] = &[("dataExtractionRules", 31)];

pub struct PackagedResources {
    /// The manifest as Gradle would merge it (package, uses-sdk, version), unstripped.
    pub merged_manifest: PathBuf,
    /// `aapt package -F`: binary manifest and `resources.arsc`, for Robolectric.
    pub resource_apk: PathBuf,
    /// `R.java`, whose ids match the APK.
    pub r_java: PathBuf,
    /// What was taken out of the checked copy, for the run to say.
    pub stripped: Vec<String>,
}

/// What Gradle puts into the merged manifest, read from `app/build.gradle.kts`.
#[derive(Debug, PartialEq)]
pub struct GradleFacts {
    pub namespace: String,
    pub min_sdk: u32,
    pub target_sdk: u32,
    pub version_code: u32,
    pub version_name: String,
}

pub fn ensure_aapt(root: &Path) -> Result<()> {
    super::apt::ensure_packages(root, &["aapt", "android-framework-res"], &[Path::new(AAPT), Path::new(FRAMEWORK_RES)])
}

pub fn package(android: &Path, out: &Path) -> Result<PackagedResources> {
    let gradle = fs::read_to_string(android.join("app/build.gradle.kts")).context("reading app/build.gradle.kts")?;
    let facts = gradle_facts(&gradle)?;
    let manifest =
        fs::read_to_string(android.join("app/src/main/AndroidManifest.xml")).context("reading AndroidManifest.xml")?;
    let merged = merge_manifest(&manifest, &facts)?;
    let (checked, stripped) = strip_newer(&merged);

    let _ = fs::remove_dir_all(out);
    let gen = out.join("gen");
    fs::create_dir_all(&gen)?;
    let merged_manifest = out.join("merged/AndroidManifest.xml");
    fs::create_dir_all(out.join("merged"))?;
    fs::write(&merged_manifest, &merged)?;
    let checked_manifest = out.join("checked/AndroidManifest.xml");
    fs::create_dir_all(out.join("checked"))?;
    fs::write(&checked_manifest, &checked)?;

    let resource_apk = out.join("app.ap_");
    let mut aapt = Command::new(AAPT);
    aapt.args(["package", "-f", "-m", "--auto-add-overlay"])
        .arg("-J")
        .arg(&gen)
        .arg("-M")
        .arg(&checked_manifest)
        .arg("-S")
        .arg(android.join("app/src/main/res"))
        .arg("-I")
        .arg(FRAMEWORK_RES)
        .arg("-F")
        .arg(&resource_apk);
    run_captured(&mut aapt, "aapt package (AndroidManifest.xml and res/ against API 29's framework resources)")?;
    let r_java = gen.join(facts.namespace.replace('.', "/")).join("R.java");
    if !r_java.is_file() {
        bail!("aapt wrote no {}", r_java.display());
    }
    Ok(PackagedResources { merged_manifest, resource_apk, r_java, stripped })
}

pub fn gradle_facts(gradle: &str) -> Result<GradleFacts> {
    let value = |key: &str| -> Result<String> {
        gradle
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.trim_start().strip_prefix('=')))
            .map(|v| v.trim().trim_matches('"').to_owned())
            .with_context(|| format!("app/build.gradle.kts has no `{key} = …`"))
    };
    let number = |key: &str| -> Result<u32> {
        value(key)?.parse().with_context(|| format!("`{key}` in app/build.gradle.kts is not a number"))
    };
    Ok(GradleFacts {
        namespace: value("namespace")?,
        min_sdk: number("minSdk")?,
        target_sdk: number("targetSdk")?,
        version_code: number("versionCode")?,
        version_name: value("versionName")?,
    })
}

/// The app's manifest with what the Android Gradle Plugin's merger adds.
pub fn merge_manifest(manifest: &str, facts: &GradleFacts) -> Result<String> {
    const OPEN: &str = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">";
    if !manifest.contains(OPEN) {
        bail!("AndroidManifest.xml: expected `{OPEN}` (the package comes from Gradle's namespace)");
    }
    let GradleFacts { namespace, min_sdk, target_sdk, version_code, version_name } = facts;
    let opened = format!(
        "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"{namespace}\" \
         android:versionCode=\"{version_code}\" android:versionName=\"{version_name}\">\n    \
         <uses-sdk android:minSdkVersion=\"{min_sdk}\" android:targetSdkVersion=\"{target_sdk}\" />"
    );
    Ok(manifest.replacen(OPEN, &opened, 1))
}

/// Takes the listed newer attributes out; returns the copy and what went.
pub fn strip_newer(manifest: &str) -> (String, Vec<String>) {
    let mut out = manifest.to_owned();
    let mut stripped = Vec::new();
    for (name, api) in NEWER_THAN_29 {
        let attr = format!("android:{name}=\"");
        while let Some(start) = out.find(&attr) {
            let value_end = out[start + attr.len()..].find('"').map(|i| start + attr.len() + i + 1);
            let Some(end) = value_end else { break };
            // The whitespace before the attribute goes with it.
            let begin = out[..start].trim_end().len();
            out.replace_range(begin..end, "");
            stripped.push(format!("android:{name} (API {api})"));
        }
    }
    (out, stripped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRADLE: &str = "android {\n    namespace = \"org.example\"\n    defaultConfig {\n        minSdk = 26\n        targetSdk = 35\n        versionCode = 3\n        versionName = \"1.2\"\n    }\n}\n";

    #[test]
    fn facts_from_gradle() {
        let facts = gradle_facts(GRADLE).unwrap();
        assert_eq!(
            facts,
            GradleFacts {
                namespace: "org.example".into(),
                min_sdk: 26,
                target_sdk: 35,
                version_code: 3,
                version_name: "1.2".into()
            }
        );
        assert!(gradle_facts("android {}").is_err());
        assert!(gradle_facts(&GRADLE.replace("26", "twenty-six")).is_err());
    }

    #[test]
    fn merged_and_stripped() {
        let manifest = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n<application\n    android:label=\"X\"\n    android:dataExtractionRules=\"@xml/rules\"\n    android:supportsRtl=\"true\" />\n</manifest>\n";
        let merged = merge_manifest(manifest, &gradle_facts(GRADLE).unwrap()).unwrap();
        assert!(merged.contains("package=\"org.example\""));
        assert!(merged.contains("android:minSdkVersion=\"26\" android:targetSdkVersion=\"35\""));
        let (checked, stripped) = strip_newer(&merged);
        assert_eq!(stripped, vec!["android:dataExtractionRules (API 31)"]);
        assert!(!checked.contains("dataExtractionRules"));
        assert!(checked.contains("android:label=\"X\"\n    android:supportsRtl=\"true\""));
        assert!(merge_manifest("<manifest package=\"x\">", &gradle_facts(GRADLE).unwrap()).is_err());
    }
}
