//! The one audited module with `unsafe`: Linux socket options that neither std nor tokio
//! expose — TCP-MD5 signatures (RFC 2385, `TCP_MD5SIG`) and GTSM (RFC 5082, `IP_MINTTL` /
//! `IPV6_MINHOPCOUNT`).
//!
//! Each call passes a pointer to a fully initialised, correctly sized `#[repr(C)]` value to
//! `setsockopt(2)` on a file descriptor the caller owns; nothing is read back.
#![allow(unsafe_code)]

use std::io;
use std::net::IpAddr;
use std::os::fd::AsRawFd;

/// Maximum TCP-MD5 key length (`TCP_MD5SIG_MAXKEYLEN`).
pub const MD5_MAX_KEY_LEN: usize = 80;

/// `struct tcp_md5sig` from `linux/tcp.h`.
#[repr(C)]
struct TcpMd5Sig {
    addr: libc::sockaddr_storage,
    flags: u8,
    prefixlen: u8,
    keylen: u16,
    ifindex: libc::c_int,
    key: [u8; MD5_MAX_KEY_LEN],
}

fn storage_for(peer: IpAddr) -> libc::sockaddr_storage {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match peer {
        IpAddr::V4(a) => {
            // SAFETY: sockaddr_storage is large enough and suitably aligned for sockaddr_in.
            let sin = unsafe { &mut *(&mut ss as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_addr = libc::in_addr {
                s_addr: u32::from_ne_bytes(a.octets()),
            };
        }
        IpAddr::V6(a) => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6 = unsafe { &mut *(&mut ss as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in6>() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_addr = libc::in6_addr { s6_addr: a.octets() };
        }
    }
    ss
}

fn setsockopt<T>(fd: &impl AsRawFd, level: libc::c_int, name: libc::c_int, value: &T) -> io::Result<()> {
    // SAFETY: `value` points to an initialised T of exactly size_of::<T>() bytes that
    // outlives the call; the kernel only reads it.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast::<libc::c_void>(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sets (or with an empty key, removes) the TCP-MD5 key for `peer` on a socket: on a
/// listening socket it applies to connections accepted from `peer`, on a connecting socket
/// to the connection to `peer`. Keys longer than 80 octets are refused.
pub fn set_tcp_md5(fd: &impl AsRawFd, peer: IpAddr, key: &[u8]) -> io::Result<()> {
    if key.len() > MD5_MAX_KEY_LEN {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "TCP-MD5 key longer than 80 octets",
        ));
    }
    let mut sig = TcpMd5Sig {
        addr: storage_for(peer),
        flags: 0,
        prefixlen: 0,
        keylen: key.len() as u16,
        ifindex: 0,
        key: [0; MD5_MAX_KEY_LEN],
    };
    sig.key[..key.len()].copy_from_slice(key);
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_MD5SIG, &sig)
}

/// GTSM (RFC 5082): send with TTL/hop limit 255 and drop anything that arrives with less
/// than `255 - hops + 1`.
pub fn set_gtsm(fd: &impl AsRawFd, ipv6: bool, hops: u8) -> io::Result<()> {
    let min: libc::c_int = 256 - hops.max(1) as libc::c_int;
    let max: libc::c_int = 255;
    if ipv6 {
        setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS, &max)?;
        setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_MINHOPCOUNT, &min)
    } else {
        setsockopt(fd, libc::IPPROTO_IP, libc::IP_TTL, &max)?;
        setsockopt(fd, libc::IPPROTO_IP, libc::IP_MINTTL, &min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_struct_matches_the_kernel_layout() {
        assert_eq!(std::mem::size_of::<TcpMd5Sig>(), 216);
    }

    #[test]
    fn md5_and_gtsm_can_be_set_on_loopback_sockets() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        set_tcp_md5(&l, "127.0.0.1".parse().expect("addr"), b"secret").expect("md5");
        set_gtsm(&l, false, 1).expect("gtsm");
        assert!(set_tcp_md5(&l, "127.0.0.1".parse().expect("addr"), &[0; 81]).is_err());
    }
}
