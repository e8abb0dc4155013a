"""The errors of the encryption layer: every one is a ProtectError with a message safe to show.

No message ever carries key material, ciphertext or plaintext: only what failed and where."""

from __future__ import annotations

from protect.core.errors import ProtectError


class CryptoError(ProtectError):
    """Something in the encryption layer said no."""

    status_code = 500

    def __init__(self, message: str, *, code: str = "crypto") -> None:
        super().__init__(message, code=code)


class DecryptionError(CryptoError):
    """A ciphertext did not authenticate: wrong key, tampered, or moved to another row or column.

    Never swallowed: a value that cannot be proven authentic is never shown, not even as empty."""

    def __init__(self, message: str, *, code: str = "decryption_failed") -> None:
        super().__init__(message, code=code)


class DataKeyDestroyed(CryptoError):
    """The data key was destroyed (the defender was erased): the data is gone for good."""

    status_code = 410

    def __init__(self, message: str = "This record was erased; its data can no longer be read.", *,
                 code: str = "erased") -> None:
        super().__init__(message, code=code)


class UploadRejected(CryptoError):
    """An uploaded file was refused (too large, type not allowed, unreadable image). Nothing was stored."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "upload_rejected") -> None:
        super().__init__(message, code=code)
