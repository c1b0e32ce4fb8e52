//! A core's forms by the first word of their mnemonic, so that a line is matched against the
//! forms it can be and not all of them. Mnemonics built from names (x86's `{lock:lockp}
//! {a_op:alu}{osz:sfx}`: `add`, `addl`, `lock addl`, ...) are spelled out; a mnemonic with
//! a number in it is found by its leading text instead.

use crate::asm::compose::compose;
use crate::asm::form::{Form, Part, PrefixForm};
use crate::asm::AsmCore;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// Spellings of one mnemonic beyond which it is found by its leading text.
const MAX_SPELLINGS: usize = 4096;

/// The forms of a core and where to find them.
pub struct FormIndex {
    pub forms: Vec<Form>,
    /// Lowercase first word of the mnemonic: forms.
    pub by_word: HashMap<String, Vec<usize>>,
    /// Forms found by their mnemonic's leading text (lowercase), in spec order.
    pub by_prefix: Vec<(String, usize)>,
    /// The decoder context's base variables (name, width, set by a prefix) and the prefixes.
    pub vars: Vec<(&'static str, u32, bool)>,
    pub prefixes: Vec<PrefixForm>,
}

impl FormIndex {
    fn new(core: AsmCore) -> FormIndex {
        let vars = (core.table.context)();
        let mut forms = (core.table.forms)();
        let widths: Vec<u32> = vars.iter().map(|v| v.1).collect();
        forms.extend(compose(&(core.table.scopes)(), &widths));
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_prefix = Vec::new();
        for (i, f) in forms.iter().enumerate() {
            match first_words(f) {
                Some(words) => {
                    for w in words {
                        by_word.entry(w).or_default().push(i);
                    }
                }
                None => by_prefix.push((f.mnemonic_prefix().to_ascii_lowercase(), i)),
            }
        }
        FormIndex { forms, by_word, by_prefix, vars, prefixes: (core.table.prefixes)() }
    }

    /// The forms a statement whose first word is `word` (lowercase) may be, in spec order,
    /// and whether the word names an instruction at all.
    pub fn candidates(&self, word: &str) -> (Vec<usize>, bool) {
        let mut out: Vec<usize> = self.by_word.get(word).cloned().unwrap_or_default();
        let mut known = !out.is_empty();
        for (p, i) in &self.by_prefix {
            if word.starts_with(p.as_str()) {
                known |= p.len() < word.len() || p == word;
                out.push(*i);
            }
        }
        out.sort_unstable();
        out.dedup();
        (out, known)
    }
}

/// Every first word the form's mnemonic can have, or None when it is not a list of texts
/// and names (or has too many spellings).
fn first_words(form: &Form) -> Option<BTreeSet<String>> {
    let mut words = BTreeSet::new();
    let mut cur: Vec<String> = vec![String::new()];
    for p in &form.parts {
        let spellings: Vec<&str> = match p {
            Part::Sep => break,
            Part::Text(t) => vec![t],
            Part::Names { names, .. } => names.iter().map(|(_, n)| *n).collect(),
            Part::Reg { names, .. } => names.to_vec(),
            Part::Value { .. } => return None,
        };
        let mut next = BTreeSet::new();
        for c in &cur {
            for s in &spellings {
                let w = format!("{c}{s}").to_ascii_lowercase();
                match w.split_once(' ') {
                    Some((first, _)) => {
                        words.insert(first.to_string());
                    }
                    None => {
                        next.insert(w);
                    }
                }
            }
        }
        if next.len() > MAX_SPELLINGS {
            return None;
        }
        cur = next.into_iter().collect();
    }
    words.extend(cur.into_iter().filter(|w| !w.is_empty()));
    Some(words)
}

/// A core's forms and their index, built the first time the core is used.
pub fn core_forms(core: AsmCore) -> Arc<FormIndex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<FormIndex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(core.name).or_insert_with(|| Arc::new(FormIndex::new(core))).clone()
}
