//! How alike two words are: for "did you mean" on ids and commands.

/// Optimal-string-alignment distance: insertions, deletions, substitutions
/// and swaps of two neighbours each cost 1 (`lsit` is 1 from `list`). Long
/// inputs are cut to 64 characters first, so a hostile 20,000-character
/// id costs no more than a normal one.
pub(crate) fn osa_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 64;
    let a: Vec<char> = a.chars().take(MAX).collect();
    let b: Vec<char> = b.chars().take(MAX).collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(osa_distance("list", "list"), 0);
        assert_eq!(osa_distance("lsit", "list"), 1);
        assert_eq!(osa_distance("explian", "explain"), 1);
        assert_eq!(osa_distance("lint", "list"), 1);
        assert_eq!(osa_distance("map", "man"), 1);
        assert_eq!(osa_distance("port", "port-in-use"), 7);
        assert_eq!(osa_distance("", "abc"), 3);
    }
}
