#!/usr/bin/python3
"""Django's command-line utility for this test application (APP_DB selects the database)."""
import os
import sys

sys.dont_write_bytecode = True

if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'appsite.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
