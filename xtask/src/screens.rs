//! The Android screenshots (issue 35): `ScreenshotsTest` draws every scene in every configuration
//! into target/android-screens/ and lists each picture in shots.tsv; this module clears the
//! folder before a run, writes the index page after it, and accepts the candidates as goldens.
//!
//!   cargo xtask screens accept [--prune]   the last run's candidates become the goldens

use anyhow::{bail, Context, Result};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::fs;
use std::path::{Path, PathBuf};

/// Where the tests write (the JVM is told with `-Dtelevisit.screens`).
pub fn dir(root: &Path) -> PathBuf {
    root.join("target").join("android-screens")
}

/// The reviewed pictures, half size, one per scene in the base configuration.
pub fn goldens(root: &Path) -> PathBuf {
    root.join("android/app/src/test/goldens")
}

/// A run starts from an empty folder: a picture left from an older run is never shown as new.
pub fn clear(root: &Path) -> Result<()> {
    let dir = dir(root);
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    fs::create_dir_all(&dir)?;
    Ok(())
}

/// One picture: the scene, its caption, the configuration, the file, what the checks found.
struct Shot {
    scene: String,
    caption: String,
    config: String,
    file: String,
    problems: Vec<String>,
}

fn read_shots(dir: &Path) -> Result<Vec<Shot>> {
    let list = dir.join("shots.tsv");
    let text = match fs::read_to_string(&list) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", list.display())),
    };
    let mut shots = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split('\t');
        let (Some(scene), Some(caption), Some(config), Some(file)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            bail!("{} line {}: fewer than four fields", list.display(), n + 1);
        };
        shots.push(Shot {
            scene: scene.to_owned(),
            caption: caption.to_owned(),
            config: config.to_owned(),
            file: file.to_owned(),
            problems: fields.map(str::to_owned).collect(),
        });
    }
    Ok(shots)
}

/// Writes index.html: a row per scene, its configurations side by side, each picture with what
/// the checks found under it. Returns the page and how many pictures it shows.
pub fn write_index(root: &Path) -> Result<Option<(PathBuf, usize)>> {
    let dir = dir(root);
    let shots = read_shots(&dir)?;
    if shots.is_empty() {
        return Ok(None);
    }
    // Scenes and configurations in the order the run drew them.
    let mut configs: Vec<&str> = Vec::new();
    let mut scenes: Vec<(&str, &str)> = Vec::new();
    for shot in &shots {
        if !configs.contains(&shot.config.as_str()) {
            configs.push(&shot.config);
        }
        if !scenes.iter().any(|(scene, _)| *scene == shot.scene) {
            scenes.push((&shot.scene, &shot.caption));
        }
    }
    let problems: usize = shots.iter().map(|s| s.problems.len()).sum();
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Televisit for Android: every screen</title>\n<style>\
         body{font:14px system-ui,sans-serif;margin:16px}table{border-collapse:collapse}th,td{vertical-align:top;padding:6px;border-bottom:1px solid #ddd}\
         th{position:sticky;top:0;background:#fff;text-align:left}img{width:180px;border:1px solid #ccc}td.bad img{border:3px solid #c62828}\
         ul{margin:4px 0;padding-left:16px;color:#c62828;max-width:180px;font-size:12px}</style></head><body>\n",
    );
    html.push_str(&format!(
        "<h1>Televisit for Android: every screen</h1>\n<p>{} scenes in {} configurations, drawn by Android's own graphics \
         (Robolectric's native mode, API 35) and checked: text read in full, touch targets of 48×48 dp that do not overlap, \
         images described, contrast of at least 4.5:1. {} problem(s). Goldens: android/app/src/test/goldens/ \
         (candidates and diffs under candidates/ and diff/).</p>\n<table>\n<tr><th>Screen</th>",
        scenes.len(),
        configs.len(),
        problems
    ));
    for config in &configs {
        html.push_str(&format!("<th>{}</th>", text(config)));
    }
    html.push_str("</tr>\n");
    for (scene, caption) in &scenes {
        html.push_str(&format!("<tr id=\"{}\"><td><b>{}</b><br>{}</td>", attr(scene), text(scene), text(caption)));
        for config in &configs {
            match shots.iter().find(|s| s.scene == *scene && s.config == *config) {
                Some(shot) => {
                    let class = if shot.problems.is_empty() { "" } else { " class=\"bad\"" };
                    html.push_str(&format!(
                        "<td{class}><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}, {2}\" loading=\"lazy\"></a>",
                        attr(&shot.file),
                        attr(scene),
                        attr(config)
                    ));
                    if !shot.problems.is_empty() {
                        html.push_str("<ul>");
                        for problem in &shot.problems {
                            html.push_str(&format!("<li>{}</li>", text(problem)));
                        }
                        html.push_str("</ul>");
                    }
                    html.push_str("</td>");
                }
                None => html.push_str("<td>not drawn</td>"),
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n</body></html>\n");
    let page = dir.join("index.html");
    fs::write(&page, html).with_context(|| format!("writing {}", page.display()))?;
    Ok(Some((page, shots.len())))
}

/// `cargo xtask screens accept [--prune]`: the last run's candidates (looked at first, in the
/// index page and candidates/) become the goldens. Goldens with no candidate are kept (a run cut
/// short draws fewer scenes) and named; `--prune` removes them, for a scene taken out on purpose.
pub fn accept(root: &Path, prune: bool) -> Result<bool> {
    let candidates = dir(root).join("candidates");
    let goldens = goldens(root);
    let mut names: Vec<String> = match fs::read_dir(&candidates) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".png"))
            .collect(),
        Err(_) => Vec::new(),
    };
    if names.is_empty() {
        bail!("no candidates in {}: run `cargo xtask test android` first", candidates.display());
    }
    names.sort();
    fs::create_dir_all(&goldens)?;
    let (mut new, mut changed) = (0, 0);
    for name in &names {
        let from = fs::read(candidates.join(name))?;
        let to = goldens.join(name);
        match fs::read(&to) {
            Ok(old) if old == from => continue,
            Ok(_) => changed += 1,
            Err(_) => new += 1,
        }
        fs::write(&to, from).with_context(|| format!("writing {}", to.display()))?;
        println!("accepted {}", to.strip_prefix(root).unwrap_or(&to).display());
    }
    let mut gone = 0;
    for entry in fs::read_dir(&goldens)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.ends_with(".png") && !names.contains(&name) {
            let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            if prune {
                fs::remove_file(&path)?;
                println!("removed {shown} (no scene drew it)");
            } else {
                println!("kept {shown}: no scene drew it in the last run (`--prune` removes it)");
            }
            gone += 1;
        }
    }
    let verb = if prune { "removed" } else { "without a candidate, kept" };
    println!("goldens: {new} new, {changed} changed, {gone} {verb}, {} unchanged", names.len() - new - changed);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "xtask-screens-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("target/android-screens")).unwrap();
        dir
    }

    #[test]
    fn the_index_shows_each_scene_in_each_configuration_with_its_problems() {
        let root = root();
        fs::write(
            dir(&root).join("shots.tsv"),
            "lock\tThe lock\tsmall\tlock/small.png\n\
             lock\tThe lock\tlarge\tlock/large.png\tButton \"Unlock\" at 1,2 dp: touch target 40×40 dp, under 48×48 dp\n\
             wipe\tIT's <wipe>\tsmall\twipe/small.png\n",
        )
        .unwrap();
        let (page, shown) = write_index(&root).unwrap().unwrap();
        let html = fs::read_to_string(page).unwrap();
        assert_eq!(shown, 3);
        assert!(html.contains("<th>small</th><th>large</th>"));
        assert!(html.contains("touch target 40×40 dp"));
        assert!(html.contains("class=\"bad\""));
        assert!(html.contains("IT's &lt;wipe&gt;"), "captions are escaped");
        assert!(html.contains("<td>not drawn</td>"), "the wipe was not drawn large");
        assert!(html.contains("1 problem(s)"));
    }

    #[test]
    fn accepting_copies_new_and_changed_candidates_and_drops_goldens_no_scene_draws_only_when_asked() {
        let root = root();
        let candidates = dir(&root).join("candidates");
        fs::create_dir_all(&candidates).unwrap();
        fs::create_dir_all(goldens(&root)).unwrap();
        fs::write(candidates.join("lock.png"), b"new lock").unwrap();
        fs::write(candidates.join("wipe.png"), b"wipe").unwrap();
        fs::write(goldens(&root).join("lock.png"), b"old lock").unwrap();
        fs::write(goldens(&root).join("gone.png"), b"gone").unwrap();
        assert!(accept(&root, false).unwrap());
        assert_eq!(fs::read(goldens(&root).join("lock.png")).unwrap(), b"new lock");
        assert_eq!(fs::read(goldens(&root).join("wipe.png")).unwrap(), b"wipe");
        assert!(goldens(&root).join("gone.png").exists(), "a run cut short removes nothing");
        assert!(accept(&root, true).unwrap());
        assert!(!goldens(&root).join("gone.png").exists(), "--prune removes it");
    }

    #[test]
    fn accepting_with_no_run_says_what_to_do_and_changes_nothing() {
        let root = root();
        fs::create_dir_all(goldens(&root)).unwrap();
        fs::write(goldens(&root).join("lock.png"), b"kept").unwrap();
        let err = accept(&root, true).unwrap_err().to_string();
        assert!(err.contains("run `cargo xtask test android` first"), "{err}");
        assert_eq!(fs::read(goldens(&root).join("lock.png")).unwrap(), b"kept");
    }
}
