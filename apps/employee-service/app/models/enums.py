from tb_platform.columns import string_enum

__all__ = ["string_enum"]
