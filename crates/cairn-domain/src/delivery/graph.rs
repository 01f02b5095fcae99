//! Task dependencies form a directed graph that must stay acyclic: a cycle would mean no task
//! in it could ever start. Before a dependency is added, [`find_cycle`] shows the loop it would
//! close so the error can name the tasks involved.

use std::collections::{HashMap, HashSet, VecDeque};

use uuid::Uuid;

/// The cycle that adding "`task` depends on `depends_on`" would create, given the existing
/// `(task, depends_on)` pairs in `edges`, as the path from `task` back to itself
/// (`[a, b, c, a]`); `None` when the graph stays acyclic. A task depending on itself is the
/// cycle `[a, a]`.
///
/// Breadth-first, so the cycle reported is a shortest one, and neighbours are visited in id
/// order, so the answer does not depend on the order of `edges`. Iterative, so a chain of
/// 100,000 tasks cannot overflow the stack.
pub fn find_cycle(edges: &[(Uuid, Uuid)], task: Uuid, depends_on: Uuid) -> Option<Vec<Uuid>> {
    if task == depends_on {
        return Some(vec![task, task]);
    }
    let mut next: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for &(from, to) in edges {
        next.entry(from).or_default().push(to);
    }
    for targets in next.values_mut() {
        targets.sort_unstable();
        targets.dedup();
    }

    // The new edge closes a cycle exactly when `task` is already reachable from `depends_on`.
    let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
    let mut seen: HashSet<Uuid> = HashSet::from([depends_on]);
    let mut queue = VecDeque::from([depends_on]);
    while let Some(at) = queue.pop_front() {
        for &to in next.get(&at).into_iter().flatten() {
            if !seen.insert(to) {
                continue;
            }
            came_from.insert(to, at);
            if to == task {
                let mut path = vec![task];
                let mut step = task;
                while step != depends_on {
                    step = came_from[&step];
                    path.push(step);
                }
                path.push(task);
                path.reverse();
                return Some(path);
            }
            queue.push_back(to);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn ids(ns: &[u128]) -> Vec<Uuid> {
        ns.iter().map(|&n| t(n)).collect()
    }

    fn edges(pairs: &[(u128, u128)]) -> Vec<(Uuid, Uuid)> {
        pairs.iter().map(|&(a, b)| (t(a), t(b))).collect()
    }

    #[test]
    fn cycles_are_reported_from_the_task_back_to_itself() {
        // (case, existing edges, task, depends on, expected cycle)
        type Case = (
            &'static str,
            &'static [(u128, u128)],
            u128,
            u128,
            Option<&'static [u128]>,
        );
        let table: &[Case] = &[
            ("self dependency", &[], 1, 1, Some(&[1, 1])),
            ("two tasks", &[(2, 1)], 1, 2, Some(&[1, 2, 1])),
            ("three tasks", &[(2, 3), (3, 1)], 1, 2, Some(&[1, 2, 3, 1])),
            ("no edges", &[], 1, 2, None),
            ("same direction again", &[(1, 2)], 1, 2, None),
            ("chain without loop", &[(2, 3), (3, 4)], 1, 2, None),
            // 1 → {2, 3} → 4: adding 1 → 4 again or 5 → 1 is fine.
            ("diamond", &[(1, 2), (1, 3), (2, 4), (3, 4)], 1, 4, None),
            (
                "into a diamond",
                &[(1, 2), (1, 3), (2, 4), (3, 4)],
                5,
                1,
                None,
            ),
            (
                "closing a diamond",
                &[(1, 2), (1, 3), (2, 4), (3, 4)],
                4,
                1,
                Some(&[4, 1, 2, 4]),
            ),
            (
                "shortest of two loops",
                &[(2, 3), (3, 4), (4, 1), (2, 1)],
                1,
                2,
                Some(&[1, 2, 1]),
            ),
            (
                "an unrelated existing loop",
                &[(5, 6), (6, 5), (2, 5)],
                1,
                2,
                None,
            ),
            ("duplicate edges", &[(2, 1), (2, 1)], 1, 2, Some(&[1, 2, 1])),
        ];
        for &(name, pairs, task, depends_on, want) in table {
            assert_eq!(
                find_cycle(&edges(pairs), t(task), t(depends_on)),
                want.map(ids),
                "{name}"
            );
        }
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        // 0 depends on 1, 1 on 2, ... 99,999 on 100,000.
        let n = 100_000u128;
        let chain: Vec<(Uuid, Uuid)> = (0..n).map(|i| (t(i), t(i + 1))).collect();
        let cycle = find_cycle(&chain, t(n), t(0)).unwrap();
        assert_eq!(cycle.len(), n as usize + 2);
        assert_eq!(cycle.first(), Some(&t(n)));
        assert_eq!(cycle[1], t(0));
        assert_eq!(cycle.last(), Some(&t(n)));
        assert!(find_cycle(&chain, t(0), t(n)).is_none());
    }

    #[test]
    fn the_answer_does_not_depend_on_edge_order() {
        // Two equally short loops: 1 → 2 → 3 → 1 and 1 → 2 → 4 → 1.
        let mut pairs = edges(&[(2, 4), (2, 3), (4, 1), (3, 1)]);
        let first = find_cycle(&pairs, t(1), t(2));
        pairs.reverse();
        assert_eq!(find_cycle(&pairs, t(1), t(2)), first);
        assert_eq!(first, Some(ids(&[1, 2, 3, 1])));
    }
}
