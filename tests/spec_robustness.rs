//! Bad spec files never panic the generator: thousands of random mutations (deleted,
//! duplicated and replaced bytes) of accepted specs must each give either success or
//! diagnostics that point at a place in a file.

use std::path::PathBuf;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[u8] = b" ;:{}[]()=!<>+-*&|^~?,.\"0123456789xabzXq_\n";

fn mutate(src: &str, rng: &mut Rng) -> String {
    let mut b = src.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        if b.is_empty() {
            break;
        }
        let i = rng.below(b.len());
        match rng.below(4) {
            0 => {
                b.remove(i);
            }
            1 => b.insert(i, ALPHABET[rng.below(ALPHABET.len())]),
            2 => b[i] = ALPHABET[rng.below(ALPHABET.len())],
            _ => {
                // Duplicate a short run (repeats names, brackets, whole clauses).
                let n = 1 + rng.below(12).min(b.len() - i - 1);
                let run: Vec<u8> = b[i..i + n].to_vec();
                for (k, x) in run.into_iter().enumerate() {
                    b.insert(i + k, x);
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn mutated_specs_give_diagnostics_not_panics() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds: Vec<PathBuf> = [
        "tests/spec-errors/pass/minimal.isa",
        "tests/spec-errors/pass/more-specific-wins.isa",
        "tests/spec-errors/pass/disjoint-by-exclusion.isa",
        "tests/spec-errors/fail/width-mismatch.isa",
        "tests/spec-errors/fail/overlapping-encodings.isa",
        "tests/spec-robustness/seed.isa",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut rejected = 0;
    for round in 0..2000 {
        let seed = &seeds[round % seeds.len()];
        let text = std::fs::read_to_string(seed).expect("seed file");
        let bad = mutate(&text, &mut rng);
        let path = dir.path().join("case.isa");
        std::fs::write(&path, &bad).expect("write case");
        let result = std::panic::catch_unwind(|| specemu_codegen::check_file(&path, &[]));
        match result {
            Err(_) => panic!("the checker panicked on this input (round {round}):\n{bad}"),
            Ok(Ok(_)) => {}
            Ok(Err(d)) => {
                rejected += 1;
                let msg = d.render(None);
                assert!(msg.contains("error"), "round {round}: empty diagnostics");
                assert!(
                    d.errors().all(|e| e.span.is_some()),
                    "round {round}: an error without a place:\n{msg}\ninput:\n{bad}"
                );
            }
        }
    }
    assert!(rejected > 700, "mutations should mostly be rejected, got {rejected}");
}
