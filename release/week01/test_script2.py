"""Imports test_script1: its top-level code runs, its guarded block does not."""

import test_script1

print(f"test_script2: top-level code runs (__name__ = {__name__!r})")

if __name__ == '__main__':
    print("test_script2: using the imported function: double(5) =", test_script1.double(5))
