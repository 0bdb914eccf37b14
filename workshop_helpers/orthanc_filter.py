"""A Lua filter for the course's Orthanc: no requests forged by another site, no foreign Host.

Orthanc 1.10 has no protection against cross-site request forgery and answers any ``Host``
header. It does call a Lua function, ``IncomingHttpRequestFilter(method, uri, ip, username,
headers)``, for every HTTP request it is about to answer (its own REST API and plugins' routes
alike: ``/dicom-web/``, the viewer's ``/ohif/``), after checking the password; when the function
returns false, Orthanc answers 403 Forbidden. :func:`lua_filter` writes that function for one
Orthanc (:class:`workshop_helpers.pacs.Orthanc` lists it in ``LuaScripts``). It refuses:

- **A foreign Host** (DNS rebinding: a web page whose own name now points at 127.0.0.1): only
  ``127.0.0.1:PORT``, ``localhost:PORT`` and ``[::1]:PORT`` pass (and these names without the
  port, which dicomweb-client's STOW-RS sends; a rebinding page's Host is its own name), or any
  Host on a request that carries jupyter-server-proxy's ``X-Forwarded-Context`` header naming
  this port (``.../proxy/PORT``): jupyter-server-proxy (4.6) forwards the browser's own Host
  (the Jupyter server's: ``127.0.0.1:8888``, a hub's domain), which Orthanc cannot know in
  advance. A rebinding page could add that header too: this check is a second line; the first
  is the password, which a browser keeps per site and never sends to the rebinding page's name.
- **A state-changing request that a browser marks as sent from another site**: any method but
  GET, HEAD and OPTIONS with ``Sec-Fetch-Site: cross-site`` or ``same-site``, or with an
  ``Origin`` whose host and port differ from the request's Host (``Origin: null`` included).
  A browser attaches the Basic credentials it has kept for Orthanc to such a request even when
  another site's page made it; it cannot forge these headers. Python clients send neither header
  (the package's REST calls, dicomweb-client's STOW-RS), and Orthanc Explorer and the viewer,
  used from Orthanc's own origin (directly or through the proxy), send ``same-origin`` and their
  own origin: all of these pass.

What it cannot do: a page of the *same* origin is trusted. Through jupyter-server-proxy every
page served under the Jupyter server's origin counts as same-origin, so on a hub where all
users share one domain (The Littlest JupyterHub) another participant's page, opened in the
learner's browser, is not refused by this filter. A GET (HEAD, OPTIONS) from another site
is let through when its Host is ours: it changes nothing, and the browser does not let that
site read the answer (the same-origin policy).

Examples
--------
>>> script = lua_filter(18042)
>>> "function IncomingHttpRequestFilter(" in script and '"127.0.0.1:18042"' in script
True
>>> '"/proxy/18042"' in script and '"/proxy/127.0.0.1:18042"' in script
True
"""

from __future__ import annotations

import os
from pathlib import Path

from .servers import write_private

__all__ = ["FILE_NAME", "lua_filter", "write_filter"]

FILE_NAME = "http-filter.lua"

_LUA = """\
-- Written for the Orthanc on HTTP port {port} (workshop_helpers.orthanc_filter): refuses
-- requests with a foreign Host and state-changing requests a browser sent from another site.
-- without the port too: dicomweb-client's STOW-RS sends the host name alone
local ALLOWED_HOSTS = {{ ["127.0.0.1:{port}"] = true, ["localhost:{port}"] = true,
                        ["[::1]:{port}"] = true, ["127.0.0.1"] = true, ["localhost"] = true,
                        ["[::1]"] = true }}
local PROXY_CONTEXTS = {{ "/proxy/{port}", "/proxy/127.0.0.1:{port}", "/proxy/localhost:{port}" }}
local SAFE_METHODS = {{ GET = true, HEAD = true, OPTIONS = true }}

local function header(headers, name)
  for key, value in pairs(headers or {{}}) do
    if string.lower(key) == name then
      return value
    end
  end
  return nil
end

local function ends_with(text, tail)
  return #text >= #tail and string.sub(text, -#tail) == tail
end

local function proxied(headers)
  local context = header(headers, "x-forwarded-context") or ""
  for _, tail in ipairs(PROXY_CONTEXTS) do
    if ends_with(context, tail) then
      return true
    end
  end
  return false
end

function IncomingHttpRequestFilter(method, uri, ip, username, headers)
  local host = string.lower(header(headers, "host") or "")
  if not ALLOWED_HOSTS[host] and not proxied(headers) then
    print("refused (Host " .. host .. "): " .. method .. " " .. uri)
    return false
  end
  if SAFE_METHODS[string.upper(method)] then
    return true
  end
  local site = string.lower(header(headers, "sec-fetch-site") or "")
  if site == "cross-site" or site == "same-site" then
    print("refused (Sec-Fetch-Site " .. site .. "): " .. method .. " " .. uri)
    return false
  end
  local origin = header(headers, "origin")
  if origin ~= nil then
    local origin_host = string.match(string.lower(origin), "^[%a][%w+.-]*://([^/]+)/?$")
    if origin_host ~= host then
      print("refused (Origin " .. origin .. ", Host " .. host .. "): " .. method .. " " .. uri)
      return false
    end
  end
  return true
end
"""


def lua_filter(http_port: int) -> str:
    """The Lua text of the filter for an Orthanc listening on ``http_port``.

    Parameters
    ----------
    http_port : int
        Orthanc's HTTP port: the one accepted in ``Host`` and in the proxy's context path.

    Returns
    -------
    str
        A Lua script defining ``IncomingHttpRequestFilter``.

    Raises
    ------
    ValueError
        For a port outside 1-65535.
    """
    port = int(http_port)
    if not 0 < port < 65536:
        raise ValueError(f"an HTTP port is 1-65535, not {http_port!r}")
    return _LUA.format(port=port)


def write_filter(folder: str | os.PathLike, http_port: int) -> Path:
    """Write :func:`lua_filter` as ``folder/http-filter.lua``, readable by its owner only.

    Parameters
    ----------
    folder : str or os.PathLike
        Orthanc's own folder (0700), next to its configuration.
    http_port : int
        Orthanc's HTTP port.

    Returns
    -------
    pathlib.Path
        The file written (mode 0600), for the configuration's ``LuaScripts``.
    """
    path = Path(folder) / FILE_NAME
    write_private(path, lua_filter(http_port))
    return path
