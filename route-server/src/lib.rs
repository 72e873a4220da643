//! RFC 7947 route server (see issue 4). Built on [`bgp_core`].
