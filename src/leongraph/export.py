"""Routes of the export module."""

from fastapi import APIRouter

router = APIRouter()
