"""Routes of the pages module."""

from fastapi import APIRouter

router = APIRouter()
