"""Name resolution for tests: a table of made-up host names, so that no test asks a real DNS server."""

import ipaddress
import socket


def install(monkeypatch, names):
    """Resolve the names in the dict (host -> IP, changeable later) and IP literals and localhost; refuse the rest."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return real(names[host], port, *args, **kwargs)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the test's DNS table") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names
