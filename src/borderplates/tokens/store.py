"""The key store: this site's signing key and the public keys it trusts, in one directory.

The directory (``BORDERPLATES_DATA_DIR/keys`` for a site) holds:

- ``<kid>.private.pem``: the current signing key, PKCS#8, mode 0600, in a directory
  of mode 0700. It is created on first use and never copied anywhere else.
- ``<kid>.public.pem``: one public key per file (SubjectPublicKeyInfo): this site's
  keys, past and current, and keys imported from other sites. All of them verify.
- ``current``: the key id of the signing key, in hex, like the file names.

``rotate()`` makes a new signing key current and deletes the old private key; the
old public key stays, so papers signed with it still verify. A patrol's laptop or a
site that only checks holds public keys alone: ``key_set()`` never creates a key.
Creation and rotation hold an exclusive lock, so two processes starting together
make one key.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from borderplates.errors import DataError, ValidationError
from borderplates.tokens.keys import KeySet, PublicKey, SigningKey

PRIVATE_SUFFIX = ".private.pem"
PUBLIC_SUFFIX = ".public.pem"
CURRENT = "current"
_LOCK = ".lock"


class KeyStore:
    """Signing and trusted public keys kept in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def signing_key(self) -> SigningKey:
        """The current signing key, generated and stored on first use."""
        current = self._current()
        if current is not None:
            return current
        with self._locked():
            return self._current() or self._create()

    def rotate(self) -> SigningKey:
        """Make a new signing key current; the old public key stays trusted, the old private key is deleted."""
        with self._locked():
            old = self._current()
            new = self._create()
            if old is not None:
                self._path(old.kid, PRIVATE_SUFFIX).unlink()
            return new

    def key_set(self) -> KeySet:
        """Every public key this store trusts: its own, past and current, and those imported."""
        if not self.directory.is_dir():
            return KeySet()
        return KeySet(self._read_public(path) for path in sorted(self.directory.glob("*" + PUBLIC_SUFFIX)))

    def import_keys(self, keys: KeySet) -> list[PublicKey]:
        """Trust the public keys of ``keys`` from now on; returns those that were new."""
        known = self.key_set()
        added = [key for key in keys if key.kid not in known]
        if added:
            with self._locked():
                for key in added:
                    self._write(self._path(key.kid, PUBLIC_SUFFIX), key.as_pem(), 0o644)
        return added

    def _current(self) -> SigningKey | None:
        try:
            kid_hex = (self.directory / CURRENT).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        path = self.directory / f"{kid_hex}{PRIVATE_SUFFIX}"
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            raise DataError(str(self.directory / CURRENT), "", f"names key {kid_hex}, but {path.name} is missing") from None
        if mode & 0o077:
            raise DataError(str(path), "", f"the private key is open to other users (mode {mode:04o}); run: chmod 600 {path}")
        try:
            key = SigningKey.from_pem(path.read_bytes())
        except ValidationError as error:
            raise DataError(str(path), "", error.text) from None
        if key.kid.hex() != kid_hex:
            raise DataError(str(path), "", f"holds key {key.kid.hex()}, not {kid_hex}")
        return key

    def _create(self) -> SigningKey:
        key = SigningKey.generate()
        self._write(self._path(key.kid, PRIVATE_SUFFIX), key.as_pem(), 0o600)
        self._write(self._path(key.kid, PUBLIC_SUFFIX), key.public.as_pem(), 0o644)
        self._write(self.directory / CURRENT, key.kid.hex().encode("ascii") + b"\n", 0o644)
        return key

    def _read_public(self, path: Path) -> PublicKey:
        try:
            key = PublicKey.from_pem(path.read_bytes())
        except ValidationError as error:
            raise DataError(str(path), "", error.text) from None
        if path.name != key.kid.hex() + PUBLIC_SUFFIX:
            raise DataError(str(path), "", f"holds key {key.kid.hex()}; the file must be named {key.kid.hex()}{PUBLIC_SUFFIX}")
        return key

    def _path(self, kid: bytes, suffix: str) -> Path:
        return self.directory / f"{kid.hex()}{suffix}"

    def _write(self, path: Path, content: bytes, mode: int) -> None:
        """Write ``content`` to ``path`` atomically, created with ``mode`` from the start (no moment of wider access)."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)  # left by a process of the same id that died mid-write
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            os.fchmod(descriptor, mode)
            os.write(descriptor, content)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        temporary.replace(path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        descriptor = os.open(self.directory / _LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)
