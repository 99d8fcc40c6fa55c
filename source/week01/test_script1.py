"""A tiny module: one function, one top-level print and a `__main__` guard."""

print(f"test_script1: top-level code runs (__name__ = {__name__!r})")


def double(x):
    return 2 * x


if __name__ == '__main__':
    print("test_script1: the guarded block runs only when this file is the script being run")
    print("test_script1: double(21) =", double(21))
