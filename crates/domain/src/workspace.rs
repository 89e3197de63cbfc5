//! Who may do what in a workspace, and who did it.

use std::fmt;

use crate::str_enum::str_enum;

str_enum!(
    /// A member's role in a workspace, from most to least powerful.
    pub enum Role {
        Owner = "owner",
        Admin = "admin",
        Member = "member",
        Viewer = "viewer",
    }
);

impl Role {
    fn rank(self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Member => 1,
            Role::Viewer => 0,
        }
    }

    /// Whether a member with this role may do what `required` allows.
    pub fn allows(self, required: Role) -> bool {
        self.rank() >= required.rank()
    }
}

/// Who caused a change, as recorded on events: `user:<sub>`, `runner:<id>` or `system`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    User(String),
    Runner(uuid::Uuid),
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(sub) => write!(f, "user:{sub}"),
            Actor::Runner(id) => write!(f, "runner:{id}"),
            Actor::System => f.write_str("system"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Owner.allows(Role::Admin));
        assert!(Role::Admin.allows(Role::Admin));
        assert!(!Role::Member.allows(Role::Admin));
        assert!(Role::Viewer.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Member));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn actors_render_with_their_kind() {
        assert_eq!(Actor::User("alice".into()).to_string(), "user:alice");
        assert_eq!(Actor::System.to_string(), "system");
        assert!(
            Actor::Runner(uuid::Uuid::nil())
                .to_string()
                .starts_with("runner:")
        );
    }
}
