"""Routes of the ui module."""

from fastapi import APIRouter

router = APIRouter()
