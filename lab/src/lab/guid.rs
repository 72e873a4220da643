//! GUIDs (UUID version 4, from the `uuid` crate) for prefix keys and connection identifiers.

/// A new random GUID such as `9f62a5db-0f86-4fef-8e86-f42c119ff45b`.
pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_have_the_version_4_form_and_differ() {
        let a = new_guid();
        let b = new_guid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }
}
