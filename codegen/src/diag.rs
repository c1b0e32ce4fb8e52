//! Source files, spans and diagnostics rendered like rustc's (`file:line:col`, the source
//! line, a caret under the place, and what was expected). Owns no spec semantics.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A byte range in one source file of a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: u32, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }
    /// A span covering both.
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    /// A sub-span at byte offsets relative to this span's start.
    pub fn sub(self, start: usize, end: usize) -> Span {
        Span { file: self.file, start: self.start + start as u32, end: self.start + end as u32 }
    }
}

/// The text of every file read, so spans can be rendered.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<(PathBuf, String)>,
}

impl SourceMap {
    pub fn add(&mut self, path: &Path, text: String) -> u32 {
        self.files.push((path.to_path_buf(), text));
        (self.files.len() - 1) as u32
    }
    pub fn text(&self, file: u32) -> &str {
        &self.files[file as usize].1
    }
    pub fn path(&self, file: u32) -> &Path {
        &self.files[file as usize].0
    }
    pub fn try_path(&self, file: u32) -> Option<&Path> {
        self.files.get(file as usize).map(|f| f.0.as_path())
    }
    pub fn find(&self, path: &Path) -> Option<u32> {
        self.files.iter().position(|(p, _)| p == path).map(|i| i as u32)
    }
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: u32, offset: u32) -> (usize, usize) {
        let text = self.text(file);
        let offset = (offset as usize).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = text[line_start..offset].chars().count() + 1;
        (line, col)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// Short text printed after the carets.
    pub label: String,
    /// Secondary places (for example the other instruction of an overlap).
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: label.into(),
            secondary: vec![],
            notes: vec![],
        }
    }
    pub fn error_nospan(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: String::new(),
            secondary: vec![],
            notes: vec![],
        }
    }
    pub fn warning(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(span, message, label) }
    }
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// All diagnostics of one run, with the sources needed to render them.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    pub sources: SourceMap,
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter().filter(|d| d.severity == Severity::Error)
    }
    /// Render the diagnostics, paths shown relative to `base` when possible. When there are
    /// errors only the errors are shown: warnings come back once the spec generates.
    pub fn render(&self, base: Option<&Path>) -> String {
        let mut out = String::new();
        let errors = self.has_errors();
        for d in self.list.iter().filter(|d| !errors || d.severity == Severity::Error) {
            render_one(&self.sources, d, base, &mut out);
        }
        let n = self.errors().count();
        if n > 0 {
            let _ = writeln!(out, "error: could not generate: {n} error{} found", if n == 1 { "" } else { "s" });
        }
        out
    }
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(None))
    }
}

impl std::error::Error for Diagnostics {}

fn shown_path(sources: &SourceMap, file: u32, base: Option<&Path>) -> String {
    let p = sources.path(file);
    let p = base.and_then(|b| p.strip_prefix(b).ok()).unwrap_or(p);
    p.display().to_string()
}

fn render_one(sources: &SourceMap, d: &Diagnostic, base: Option<&Path>, out: &mut String) {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{kind}: {}", d.message);
    if let Some(span) = d.span {
        let (line, col) = sources.line_col(span.file, span.start);
        let gutter = line.max(d.secondary.iter().map(|(s, _)| sources.line_col(s.file, s.start).0).max().unwrap_or(0));
        let width = gutter.to_string().len();
        let pad = " ".repeat(width);
        let _ = writeln!(out, "{pad}--> {}:{line}:{col}", shown_path(sources, span.file, base));
        let _ = writeln!(out, "{pad} |");
        snippet(sources, span, &d.label, '^', width, out);
        for (s, label) in &d.secondary {
            if s.file != span.file {
                let (l, c) = sources.line_col(s.file, s.start);
                let _ = writeln!(out, "{pad}::: {}:{l}:{c}", shown_path(sources, s.file, base));
            }
            snippet(sources, *s, label, '-', width, out);
        }
        let _ = writeln!(out, "{pad} |");
        for n in &d.notes {
            let _ = writeln!(out, "{pad} = note: {n}");
        }
    } else {
        for n in &d.notes {
            let _ = writeln!(out, "  = note: {n}");
        }
    }
    out.push('\n');
}

fn snippet(sources: &SourceMap, span: Span, label: &str, mark: char, width: usize, out: &mut String) {
    let text = sources.text(span.file);
    let (line, col) = sources.line_col(span.file, span.start);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let line_start = text[..(span.start as usize).min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = line_start + line_text.len();
    let end = (span.end as usize).clamp(span.start as usize, line_end);
    let n = text[(span.start as usize).min(line_end)..end].chars().count().max(1);
    let _ = writeln!(out, "{line:>width$} | {}", line_text.trim_end());
    let _ = writeln!(out, "{} | {}{} {}", " ".repeat(width), " ".repeat(col - 1), mark.to_string().repeat(n), label);
    // Trim the trailing space when there is no label.
    if label.is_empty() {
        out.pop();
        out.pop();
        out.push('\n');
    }
}
